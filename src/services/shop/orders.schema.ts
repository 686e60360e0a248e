import { Uuid } from '../../platform/http/schemas.js';
import { Type, type Static } from 'typebox';

export const OrderCreate = Type.Object(
  {
    disc_id: Uuid,
    customer_id: Uuid,
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
export type OrderCreate = Static<typeof OrderCreate>;

export const ORDER_STATUSES = ['pending', 'confirmed', 'rejected'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const Order = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    customer: Type.Ref('Customer', { description: 'The customer as at order time' }),
    disc: Type.Ref('Disc', { description: 'The disc as at order time' }),
    quantity: Type.Integer(),
    timestamp: Type.String({ format: 'date-time', description: 'When the order was placed' }),
    status: Type.Union(
      ORDER_STATUSES.map((s) => Type.Literal(s)),
      {
        description: 'confirmed: sold; pending: queued, not decided yet; rejected: out of stock',
      },
    ),
    reason: Type.Optional(Type.String({ description: 'Why a queued order was rejected' })),
  },
  { $id: 'Order' },
);
export interface Order {
  id: string;
  customer: Record<string, unknown>;
  disc: Record<string, unknown>;
  quantity: number;
  timestamp: string;
  status: OrderStatus;
  reason?: string;
}

export const OrderQuery = Type.Object(
  {
    customer_id: Type.Optional(Uuid),
    disc_id: Type.Optional(Uuid),
    status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'orders placed at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'orders placed before' })),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
  },
  { additionalProperties: false },
);
export type OrderQuery = Static<typeof OrderQuery>;

export const OrderPage = Type.Object({
  params: Type.Record(Type.String(), Type.String()),
  limit: Type.Integer(),
  offset: Type.Integer(),
  data: Type.Array(Type.Ref('Order')),
});
