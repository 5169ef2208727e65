import { randomBytes } from 'node:crypto';
import { allow, listPage, metadata, type Route, required, str, strArray } from '../params';
import { badParam, missing } from '../errors';
import { render } from '../store';

export const endpointRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/webhook_endpoints',
    handler: (core, { body }) => {
      allow(body, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect']);
      const url = required(body, 'url');
      if (!/^https?:\/\/[^\s]+$/.test(url)) throw badParam('url', 'Invalid URL: url');
      const events = strArray(body, 'enabled_events');
      if (!events || events.length === 0)
        throw badParam('enabled_events', 'Missing required param: enabled_events.');
      const secret = `whsec_${randomBytes(24).toString('hex')}`;
      const endpoint = core.store.insert({
        ...core.base('webhook_endpoint'),
        api_version: str(body, 'api_version') ?? null,
        application: null,
        description: str(body, 'description') ?? null,
        enabled_events: events,
        metadata: metadata(body),
        status: 'enabled',
        url,
        _secret: secret,
      });
      // Stripe shows the secret once, in the answer to the creation.
      return { ...render(endpoint), secret };
    },
  },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints',
    handler: (core, { body }) => {
      allow(body, ['limit', 'starting_after', 'ending_before']);
      return listPage(core, core.store.all('webhook_endpoint'), body, '/v1/webhook_endpoints');
    },
  },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return render(core.find('webhook_endpoint', params.id as string, 'webhook endpoint'));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/webhook_endpoints/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      const endpoint = core.store.get(params.id as string);
      if (endpoint?.object !== 'webhook_endpoint') throw missing('webhook endpoint', params.id as string);
      core.store.delete(params.id as string);
      return { id: params.id, object: 'webhook_endpoint', deleted: true };
    },
  },
];
