import { allow, createdIn, listPage, type Route, str, strArray } from '../params';
import { render } from '../store';

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/events/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return render(core.find('event', params.id as string));
    },
  },
  {
    method: 'GET',
    path: '/v1/events',
    handler: (core, { body }) => {
      allow(body, ['type', 'types', 'limit', 'starting_after', 'ending_before', 'created']);
      const type = str(body, 'type');
      const types = strArray(body, 'types');
      const matches = (t: string) =>
        (type === undefined || (type.endsWith('.*') ? t.startsWith(type.slice(0, -1)) : t === type)) &&
        (!types || types.includes(t));
      return listPage(
        core,
        createdIn(core.store.all('event'), body).filter((e) => matches(e.type as string)),
        body,
        '/v1/events',
      );
    },
  },
];
