// The tutorial's starting point in every sandbox: a "Loyalty Details" field
// group under the tenant namespace and a "Loyalty Members" schema on XDM
// Individual Profile. Ids are derived from (org, sandbox), and a marker row
// makes the seed run once per sandbox: a restart never duplicates it, and a
// seeded resource the user deleted stays deleted.
import { createHash } from 'node:crypto';
import type { RequestScope } from '../http.ts';
import type { EmulatorContext } from '../routes/types.ts';
import { forgetOnce, once } from '../store/db.ts';
import { IDENTITY_MAP_FIELD_GROUP, PERSONAL_CONTACT_FIELD_GROUP, PERSON_DETAILS_FIELD_GROUP, PROFILE_CLASS } from './global-resources.ts';
import type { SchemaRegistryStore } from './store.ts';

export const LOYALTY_FIELD_GROUP_TITLE = 'Loyalty Details';
export const LOYALTY_SCHEMA_TITLE = 'Loyalty Members';

function seedId(scope: RequestScope, what: string): string {
  return createHash('sha256').update(`${scope.orgId}/${scope.sandbox.name}/${what}`).digest('hex').slice(0, 32);
}

export function loyaltyFieldGroup(tenantId: string) {
  return {
    title: LOYALTY_FIELD_GROUP_TITLE,
    description: 'Loyalty program membership of a customer.',
    type: 'object',
    'meta:intendedToExtend': [PROFILE_CLASS],
    definitions: {
      loyalty: {
        properties: {
          [`_${tenantId}`]: {
            type: 'object',
            properties: {
              loyalty: {
                title: 'Loyalty',
                type: 'object',
                required: ['loyaltyId'],
                properties: {
                  loyaltyId: { title: 'Loyalty ID', type: 'string', description: 'Identifier of the member in the loyalty program.' },
                  loyaltyLevel: {
                    title: 'Loyalty Level',
                    type: 'string',
                    enum: ['bronze', 'silver', 'gold', 'platinum'],
                    'meta:enum': { bronze: 'Bronze', silver: 'Silver', gold: 'Gold', platinum: 'Platinum' },
                  },
                  loyaltyPoints: { title: 'Loyalty Points', type: 'integer', minimum: -2147483648, maximum: 2147483648 },
                  memberSince: { title: 'Member Since', type: 'string', format: 'date' },
                },
              },
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/loyalty' }],
  };
}

const seedKey = (scope: RequestScope) => `seed:schema-registry:${scope.orgId}:${scope.sandbox.name}`;

/** A reset sandbox looks fresh: its seed runs again, even where the user had deleted seeded resources. */
export function reseedSchemaRegistry(ctx: EmulatorContext, registry: SchemaRegistryStore, scope: RequestScope): void {
  forgetOnce(ctx.db, seedKey(scope));
  seedSchemaRegistry(ctx, registry, scope);
}

export function seedSchemaRegistry(ctx: EmulatorContext, registry: SchemaRegistryStore, scope: RequestScope): void {
  once(ctx.db, seedKey(scope), () => {
    const fieldGroup = registry.createWithId(scope, 'mixins', seedId(scope, 'loyalty-details'), loyaltyFieldGroup(ctx.settings.tenantId));
    registry.createWithId(scope, 'schemas', seedId(scope, 'loyalty-members'), {
      title: LOYALTY_SCHEMA_TITLE,
      description: 'Members of the loyalty program',
      type: 'object',
      allOf: [
        { $ref: PROFILE_CLASS },
        { $ref: PERSON_DETAILS_FIELD_GROUP },
        { $ref: PERSONAL_CONTACT_FIELD_GROUP },
        { $ref: IDENTITY_MAP_FIELD_GROUP },
        { $ref: fieldGroup.$id },
      ],
    });
  });
}
