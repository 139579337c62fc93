import { formatMinorUnits, type MoneyValue } from '../billing/money.js';
import { builder } from './builder.js';

export const Money = builder.objectRef<MoneyValue>('Money').implement({
  description: 'An exact amount of money. Never a float: use `amount` to display and `minorUnits` to compute.',
  fields: (t) => ({
    amount: t.string({
      description: 'Decimal string in major units, e.g. "1234.56".',
      resolve: (m) => formatMinorUnits(m.minorUnits, m.currency),
    }),
    minorUnits: t.expose('minorUnits', {
      type: 'MinorUnits',
      description: 'Integer amount in minor units, e.g. 123456.',
    }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code, e.g. USD.' }),
  }),
});
