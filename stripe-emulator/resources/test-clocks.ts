import { runDueWork } from '../billing';
import { badParam } from '../errors';
import { allow, int, listPage, type Route, str } from '../params';
import { render } from '../store';

export const testClockRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/test_helpers/test_clocks',
    handler: (core, { body }) => {
      allow(body, ['frozen_time', 'name']);
      const frozen = int(body, 'frozen_time');
      if (frozen === undefined) throw badParam('frozen_time', 'Missing required param: frozen_time.');
      const clock = core.store.insert({
        ...core.base('test_helpers.test_clock'),
        deletes_after: frozen + 30 * 86400,
        frozen_time: frozen,
        name: str(body, 'name') ?? null,
        status: 'ready',
        status_details: {},
      });
      return render(clock);
    },
  },
  {
    method: 'GET',
    path: '/v1/test_helpers/test_clocks/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return render(core.find('test_helpers.test_clock', params.id as string, 'test clock'));
    },
  },
  {
    method: 'GET',
    path: '/v1/test_helpers/test_clocks',
    handler: (core, { body }) => {
      allow(body, ['limit', 'starting_after', 'ending_before']);
      return listPage(core, core.store.all('test_helpers.test_clock'), body, '/v1/test_helpers/test_clocks');
    },
  },
  {
    method: 'POST',
    path: '/v1/test_helpers/test_clocks/:id/advance',
    handler: (core, { params, body }) => {
      allow(body, ['frozen_time']);
      const clock = core.find('test_helpers.test_clock', params.id as string, 'test clock');
      const to = int(body, 'frozen_time');
      if (to === undefined) throw badParam('frozen_time', 'Missing required param: frozen_time.');
      if (to < (clock.frozen_time as number))
        throw badParam('frozen_time', 'The frozen_time must be later than the current frozen_time.');
      clock.frozen_time = to;
      const customers = new Set(
        core.store
          .all('customer')
          .filter((c) => c.test_clock === clock.id)
          .map((c) => c.id),
      );
      // Stripe advances asynchronously and reports `ready`; here the work is done before answering.
      runDueWork(core, customers);
      core.emit('test_helpers.test_clock.ready', clock);
      return render(clock);
    },
  },
];
