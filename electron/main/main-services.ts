import path from 'node:path';
import { z } from 'zod';
import type { Locale } from '../../contracts/bridge';
import { DEFAULT_APP_SCHEME } from '../../contracts/deeplink';
import { Jwks } from '../../contracts/tokens';
import { createDispatch, type Dispatch } from './ipc/dispatch';
import { createLinkAllowList } from './link-allow-list';
import {
  type Clock,
  type Dialogs,
  type EventSink,
  type ExternalOpener,
  type Files,
  type KeyValueStore,
  type Logger,
  type Scheduler,
  silentLogger,
  systemClock,
  systemScheduler,
} from './ports';
import { ServerClient } from './server-client';
import { AccountService } from './services/account';
import { InvoicesService } from './services/invoices';
import { CheckoutService } from './services/checkout';
import { CredentialVault, type KeychainPort, type SafeStoragePort } from './services/credentials';
import { DeepLinks } from './services/deep-links';
import { TokenVerifier } from './services/token-verifier';
import { EntitlementService } from './services/entitlements';
import { ExternalLinks } from './services/external-links';
import { Gate } from './services/gate';
import { OfflineLedger } from './services/offline-ledger';
import { Projects } from './services/projects';
import { Settings } from './services/settings';

export type MainPorts = {
  store: KeyValueStore;
  keychain: KeychainPort | null;
  safeStorage: SafeStoragePort | null;
  emit: EventSink;
  openExternal: ExternalOpener;
  dialogs: Dialogs;
  files: Files;
  /** Folder for the autosave (the app's userData). */
  dataDir: string;
  defaults: { serverUrl: string; locale?: Locale };
  /** Origins besides Stripe's that checkout and portal URLs may have (the emulator in development). */
  checkoutOrigins: readonly string[];
  appInfo: { version: string; platform: string };
  scheme?: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /** This computer's name for the account's device list. */
  deviceName?: string;
  logger?: Logger;
  fetch?: typeof fetch;
};

export type MainServices = ReturnType<typeof createMainServices>;

/**
 * Builds every main-process service from ports and wires them to the bridge. index.ts (Electron)
 * and the test host both call this, so they run the same code behind the same dispatch table.
 */
export function createMainServices(ports: MainPorts) {
  const logger = ports.logger ?? silentLogger;
  const clock = ports.clock ?? systemClock;
  const scheduler = ports.scheduler ?? systemScheduler;
  const settings = new Settings(ports.store, ports.defaults);
  const deviceId = settings.deviceId();
  const client = new ServerClient({ baseUrl: () => settings.serverUrl(), fetch: ports.fetch });
  const vault = new CredentialVault({
    keychain: ports.keychain,
    safeStorage: ports.safeStorage,
    settings,
    emit: ports.emit,
    logger,
  });
  const verifier = new TokenVerifier(
    {
      // Keys are cached so a token can be verified offline at start.
      fetchJwks: async () => {
        try {
          const jwks = Jwks.parse(await client.jwks());
          settings.set('jwks', jwks);
          return jwks;
        } catch (e) {
          const cached = settings.get('jwks', Jwks);
          if (cached) return cached;
          throw e;
        }
      },
      nowMs: () => clock.nowMs(),
      highWater: {
        get: () => settings.get('clock.highWater', z.number().int().min(0)) ?? 0,
        set: (ms) => settings.set('clock.highWater', Math.floor(ms)),
      },
    },
    deviceId,
  );
  const account = new AccountService({
    client,
    vault,
    settings,
    deviceId,
    emit: ports.emit,
    scheduler,
    clock,
    logger,
  });
  const ledger = new OfflineLedger(settings);
  const entitlements = new EntitlementService({
    account,
    verifier,
    ledger,
    settings,
    deviceId,
    deviceName: ports.deviceName,
    emit: ports.emit,
    scheduler,
    logger,
  });
  const gate = new Gate({
    account,
    entitlements,
    verifier,
    ledger,
    deviceId,
    dialogs: ports.dialogs,
    files: ports.files,
    settings,
    scheduler,
    clock,
    logger,
  });
  const allowList = createLinkAllowList(ports.checkoutOrigins);
  const links = new ExternalLinks({ open: ports.openExternal, allowList, logger });
  const checkout = new CheckoutService({
    client,
    account,
    entitlements,
    links,
    settings,
    emit: ports.emit,
    clock,
    logger,
  });
  const invoices = new InvoicesService({ account, links });
  const projects = new Projects({
    gate,
    settings,
    dialogs: ports.dialogs,
    files: ports.files,
    autosavePath: path.join(ports.dataDir, 'autosave.json'),
    sessionAudioDir: path.join(ports.dataDir, 'session-audio'),
    clock,
    logger,
  });
  const deepLinks = new DeepLinks({
    handle: (link) => checkout.handleLink(link),
    scheme: ports.scheme ?? DEFAULT_APP_SCHEME,
    logger,
  });

  const info = () => ({
    ...ports.appInfo,
    serverUrl: settings.serverUrl(),
    locale: settings.locale(),
    deviceId,
  });

  const dispatch: Dispatch = createDispatch(
    {
      'app.getInfo': () => info(),
      'app.setLocale': ({ locale }) => {
        settings.setLocale(locale);
        return info();
      },
      'account.getState': () => account.state(),
      'account.signUp': (c) => account.signUp(c),
      'account.signIn': (c) => account.signIn(c),
      'account.signOut': () => account.signOut(),
      'account.requestPasswordReset': (input) => account.requestPasswordReset(input.email),
      'account.devices': () => account.devices(),
      'account.signOutDevice': ({ deviceId }) => account.signOutDevice(deviceId),
      'billing.getPlans': () => checkout.plans(),
      'billing.startCheckout': ({ priceId }) => checkout.start(priceId),
      'billing.reopenCheckout': () => checkout.reopen(),
      'billing.cancelCheckout': () => checkout.cancel(),
      'billing.getCheckout': () => checkout.status(),
      'billing.openPortal': () => checkout.openPortal(),
      'billing.confirmPayment': () => checkout.confirmPayment(),
      'billing.listInvoices': (input) => invoices.list(input.after),
      'billing.openInvoice': (input) => invoices.open(input.id, input.document),
      'entitlements.get': () => entitlements.state(),
      // "I have paid — refresh" with a checkout pending is the same check as regaining focus, so the
      // purchase ends in success even when its deep link never comes.
      'entitlements.refresh': async () => {
        if (checkout.status().phase !== 'pending') return entitlements.refresh();
        await checkout.onFocus();
        return entitlements.state();
      },
      'gate.authorize': ({ kind }) => gate.authorize(kind),
      'gate.saveRender': (input) => gate.saveRender(input),
      'gate.beginRender': (input) => gate.beginRender(input),
      'gate.writeRender': (input) => gate.writeRender(input),
      'gate.finishRender': ({ grantId }) => gate.finishRender(grantId),
      'gate.beginStems': (input) => gate.beginStems(input),
      'gate.writeStem': (input) => gate.writeStem(input),
      'gate.finishStems': ({ grantId }) => gate.finishStems(grantId),
      'gate.release': ({ grantId }) => gate.release(grantId),
      'project.save': (input) => projects.save(input),
      'project.open': () => projects.open(),
      'project.autosave': (input) => projects.autosave(input),
      'project.restoreAutosave': () => projects.restoreAutosave(),
      'project.keepAudio': (input) => projects.keepAudio(input),
      'project.recallAudio': (input) => projects.recallAudio(input),
      'project.loadAudio': (input) => projects.loadAudio(input),
      'project.locateAudio': (input) => projects.locateAudio(input),
    },
    logger,
  );

  return {
    settings,
    deviceId,
    client,
    vault,
    verifier,
    account,
    ledger,
    entitlements,
    gate,
    allowList,
    links,
    checkout,
    projects,
    deepLinks,
    dispatch,
    /** Signs back in from the stored refresh token and loads the entitlement (cache, then server). */
    async start(): Promise<void> {
      await account.start().catch((e: unknown) => logger.error('account start failed', { error: String(e) }));
      await entitlements.start();
    },
    /** BrowserWindow 'focus'. */
    onFocus: () =>
      checkout.onFocus().catch((e: unknown) => logger.warn('focus refresh failed', { error: String(e) })),
    stop(): void {
      account.stop();
      entitlements.stop();
    },
    /**
     * The page is gone (crashed, killed for memory) or about to be reloaded: whatever it was
     * rendering is lost with it, so its reservations go back and its unfinished files are removed,
     * rather than holding the musician's quota until quit.
     */
    pageGone: () =>
      gate.releaseAll().catch((e: unknown) => logger.warn('renders not given back', { error: String(e) })),
    /** Quit: the reservations of renders still under way go back to the server, then everything stops. */
    async shutdown(): Promise<void> {
      await gate.releaseAll();
      this.stop();
    },
  };
}
