import { allow, type Route, required, str } from '../params';
import { badParam } from '../errors';
import { render } from '../store';

export const portalRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/billing_portal/sessions',
    handler: (core, { body }) => {
      allow(body, ['customer', 'return_url', 'locale', 'configuration', 'flow_data']);
      const customer = required(body, 'customer');
      core.find('customer', customer, 'customer', 'customer');
      const returnUrl = str(body, 'return_url');
      if (returnUrl !== undefined && !/^https?:\/\//.test(returnUrl))
        throw badParam('return_url', 'Not a valid URL: return_url');
      const session = core.store.insert({
        ...core.base('billing_portal.session'),
        configuration: 'bpc_emulator_default',
        customer,
        customer_account: null,
        flow: null,
        locale: str(body, 'locale') ?? null,
        on_behalf_of: null,
        return_url: returnUrl ?? null,
        url: '',
      });
      session.url = `${core.baseUrl()}/p/session/${session.id}`;
      return render(session);
    },
  },
];
