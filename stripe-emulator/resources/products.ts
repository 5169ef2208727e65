import { allow, bool, listPage, metadata, type Route, required, str, strArray, whereGiven } from '../params';
import { render } from '../store';

export const productRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/products',
    handler: (core, { body }) => {
      allow(body, ['name', 'description', 'metadata', 'active', 'id']);
      const product = core.store.insert({
        ...core.base('product'),
        ...(str(body, 'id') ? { id: str(body, 'id') as string } : {}),
        active: bool(body, 'active') ?? true,
        default_price: null,
        description: str(body, 'description') ?? null,
        images: [],
        marketing_features: [],
        metadata: metadata(body),
        name: required(body, 'name'),
        package_dimensions: null,
        shippable: null,
        statement_descriptor: null,
        tax_code: null,
        tax_details: null,
        type: 'service',
        unit_label: null,
        updated: core.now(),
        url: null,
      });
      core.emit('product.created', product);
      return render(product);
    },
  },
  {
    method: 'GET',
    path: '/v1/products/:id',
    handler: (core, { params, body }) => {
      allow(body, []);
      return render(core.find('product', params.id as string));
    },
  },
  {
    method: 'GET',
    path: '/v1/products',
    handler: (core, { body }) => {
      allow(body, ['active', 'limit', 'starting_after', 'ending_before', 'ids']);
      const ids = strArray(body, 'ids');
      const items = whereGiven(
        core.store.all('product').filter((p) => !ids || ids.includes(p.id)),
        [[bool(body, 'active'), (p) => p.active]],
      );
      return listPage(core, items, body, '/v1/products');
    },
  },
];
