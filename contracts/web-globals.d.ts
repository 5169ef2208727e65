// URL and URLSearchParams exist in every runtime contracts/ runs in (Node, the renderer, Workers),
// but not in the ES library this area is typechecked against (which keeps DOM and Node out).
declare class URLSearchParams implements Iterable<[string, string]> {
  constructor(init?: Record<string, string> | string);
  get(name: string): string | null;
  toString(): string;
  [Symbol.iterator](): Iterator<[string, string]>;
}
declare class URL {
  constructor(url: string, base?: string);
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly hash: string;
  readonly origin: string;
  readonly searchParams: URLSearchParams;
  href: string;
}
