import { describe, expect, it } from 'vitest';
import { fieldGroupProperties, flattenFields, planAdditiveChange } from '../../../src/gateway/xdm.ts';
import { GatewayError } from '../../../src/gateway/errors.ts';

const schema = {
  properties: {
    _acme: {
      type: 'object',
      properties: {
        loyalty: {
          type: 'object',
          required: ['loyaltyId'],
          properties: {
            loyaltyId: { type: 'string', 'meta:xdmType': 'string', title: 'Loyalty ID' },
            loyaltyLevel: { type: 'string', enum: ['gold', 'silver'] },
            loyaltyPoints: { type: 'integer', minimum: -2147483648, maximum: 2147483648 },
            memberSince: { type: 'string', format: 'date' },
          },
        },
      },
    },
  },
};

describe('flattenFields', () => {
  it('should flatten to dot paths with XDM types, required flags and enums', () => {
    const fields = flattenFields(schema);
    expect(fields.map((f) => `${f.path}:${f.type}`)).toEqual([
      '_acme:OBJECT',
      '_acme.loyalty:OBJECT',
      '_acme.loyalty.loyaltyId:STRING',
      '_acme.loyalty.loyaltyLevel:STRING',
      '_acme.loyalty.loyaltyPoints:INT',
      '_acme.loyalty.memberSince:DATE',
    ]);
    expect(fields.find((f) => f.path.endsWith('loyaltyId'))?.required).toBe(true);
    expect(fields.find((f) => f.path.endsWith('loyaltyLevel'))?.enum).toEqual(['gold', 'silver']);
  });
});

describe('planAdditiveChange', () => {
  const existing = flattenFields(schema);

  it('should add new fields and skip fields that exist as asked', () => {
    const plan = planAdditiveChange(existing, '_acme', [
      { path: 'loyalty.tierExpiry', type: 'DATE' },
      { path: 'loyalty.loyaltyId', type: 'STRING' },
    ]);
    expect(plan.addedPaths).toEqual(['_acme.loyalty.tierExpiry']);
  });

  it('should refuse a type change, a new required constraint and a field below a leaf', () => {
    expect(() =>
      planAdditiveChange(existing, '_acme', [
        { path: 'loyalty.loyaltyPoints', type: 'STRING' },
        { path: 'loyalty.loyaltyLevel', type: 'STRING', required: true },
        { path: 'loyalty.loyaltyId.sub', type: 'STRING' },
      ]),
    ).toThrow(GatewayError);
  });

  it('should refuse malformed paths and types it cannot create', () => {
    expect(() => planAdditiveChange(existing, '_acme', [{ path: '_hidden', type: 'STRING' }])).toThrow(/path/);
    expect(() => planAdditiveChange(existing, '_acme', [{ path: 'tags', type: 'MAP' }])).toThrow(/MAP/);
  });
});

describe('fieldGroupProperties', () => {
  it('should nest fields under the tenant namespace with JSON Schema types', () => {
    expect(fieldGroupProperties('_acme', [{ path: 'loyalty.tier', type: 'STRING', required: true, enum: ['a'] }])).toEqual({
      _acme: {
        type: 'object',
        properties: { loyalty: { type: 'object', properties: { tier: { type: 'string', title: 'Tier', enum: ['a'] } }, required: ['tier'] } },
      },
    });
  });
});
