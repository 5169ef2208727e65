import type { LinkAllowList, LinkPurpose } from '../link-allow-list';
import type { ExternalOpener, Logger } from '../ports';

/** Opens URLs in the system browser only when the allow-list allows them; refusals are logged. */
export class ExternalLinks {
  constructor(private readonly deps: { open: ExternalOpener; allowList: LinkAllowList; logger: Logger }) {}

  async open(url: string, purpose: LinkPurpose): Promise<boolean> {
    if (!this.deps.allowList.allows(url, purpose)) {
      this.deps.logger.warn('refused to open a URL outside the allow-list', {
        purpose,
        url: url.slice(0, 200),
      });
      return false;
    }
    await this.deps.open(url);
    return true;
  }
}
