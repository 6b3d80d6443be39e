// The `global` container: the standard XDM classes, field groups, data types
// and behaviors that tenant resources build on. A realistic subset of Adobe's
// library, read-only and the same in every sandbox.
import { altIdOf } from './kinds.ts';
import type { ResourceType, XdmResource } from './kinds.ts';

const RECORD = 'https://ns.adobe.com/xdm/data/record';
const TIME_SERIES = 'https://ns.adobe.com/xdm/data/time-series';
const ADHOC = 'https://ns.adobe.com/xdm/data/adhoc';
export const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
export const EXPERIENCE_EVENT_CLASS = 'https://ns.adobe.com/xdm/context/experienceevent';
export const IDENTITY_MAP_FIELD_GROUP = 'https://ns.adobe.com/xdm/context/identitymap';
export const PERSON_DETAILS_FIELD_GROUP = 'https://ns.adobe.com/xdm/context/profile-person-details';
export const PERSONAL_CONTACT_FIELD_GROUP = 'https://ns.adobe.com/xdm/context/profile-personal-details';
const PERSON_NAME = 'https://ns.adobe.com/xdm/context/person-name';
const EMAIL_ADDRESS = 'https://ns.adobe.com/xdm/context/email-address';

export const BEHAVIORS = [RECORD, TIME_SERIES, ADHOC] as const;

type Type = ResourceType | 'behaviors';

function standard(type: Type, id: string, fields: Record<string, unknown>): XdmResource {
  return {
    $id: id,
    'meta:altId': altIdOf(id),
    'meta:resourceType': type,
    version: '1.0',
    type: 'object',
    'meta:containerId': 'global',
    'meta:xdmType': 'object',
    'meta:status': 'stable',
    ...fields,
  } as unknown as XdmResource;
}

const uriReference = (title: string, description: string) => ({ type: 'string', format: 'uri-reference', title, description });

const identityMap = {
  title: 'Identity Map',
  description: 'Identities of the subject, keyed by identity namespace code.',
  type: 'object',
  'meta:xdmType': 'map',
  additionalProperties: {
    type: 'array',
    items: {
      title: 'Identity',
      type: 'object',
      properties: {
        id: { title: 'Identifier', type: 'string', description: 'Identity of the consumer in the namespace.' },
        authenticatedState: {
          title: 'Authenticated State',
          type: 'string',
          enum: ['ambiguous', 'authenticated', 'loggedOut'],
          default: 'ambiguous',
        },
        primary: { title: 'Primary', type: 'boolean', default: false },
      },
    },
  },
};

const resources: XdmResource[] = [
  standard('behaviors', RECORD, {
    title: 'Record Schema',
    description: 'Behavior of data that describes the current state of a subject.',
    'meta:abstract': true,
    'meta:extensible': false,
  }),
  standard('behaviors', TIME_SERIES, {
    title: 'Time-series Schema',
    description: 'Behavior of data that records events at a point in time.',
    'meta:abstract': true,
    'meta:extensible': false,
    definitions: {
      'time-series': {
        properties: {
          _id: uriReference('Identifier', 'A unique identifier for the time-series event.'),
          timestamp: { title: 'Timestamp', type: 'string', format: 'date-time', description: 'The time when the event occurred.' },
        },
        required: ['_id', 'timestamp'],
      },
    },
    allOf: [{ $ref: '#/definitions/time-series' }],
  }),
  standard('behaviors', ADHOC, {
    title: 'Ad Hoc Schema',
    description: 'Behavior of data whose fields are only known at ingestion (CSV datasets).',
    'meta:abstract': true,
    'meta:extensible': false,
  }),
  standard('datatypes', PERSON_NAME, {
    title: 'Person name',
    description: 'Full name of a person.',
    'meta:abstract': true,
    'meta:extensible': true,
    properties: {
      firstName: { title: 'First name', type: 'string' },
      middleName: { title: 'Middle name', type: 'string' },
      lastName: { title: 'Last name', type: 'string' },
      fullName: { title: 'Full name', type: 'string' },
      courtesyTitle: { title: 'Courtesy title', type: 'string' },
    },
  }),
  standard('datatypes', EMAIL_ADDRESS, {
    title: 'Email address',
    description: 'An electronic mail address.',
    'meta:abstract': true,
    'meta:extensible': true,
    properties: {
      address: { title: 'Address', type: 'string', format: 'email' },
      label: { title: 'Label', type: 'string' },
      primary: { title: 'Primary', type: 'boolean' },
      status: { title: 'Status', type: 'string', enum: ['active', 'incomplete', 'pending_verification', 'blocked'] },
      type: { title: 'Type', type: 'string', enum: ['personal', 'work'] },
    },
  }),
  standard('classes', PROFILE_CLASS, {
    title: 'XDM Individual Profile',
    description: 'A singular view of the attributes and interests of an individual.',
    'meta:abstract': true,
    'meta:extensible': true,
    'meta:extends': [RECORD],
    definitions: {
      profile: {
        properties: {
          _id: uriReference('Identifier', 'A unique identifier for the record.'),
          personID: { title: 'Person ID', type: 'string', description: 'Unique identifier of the person.' },
          createdByBatchID: uriReference('Created by batch identifier', 'The batch that created the record.'),
          modifiedByBatchID: uriReference('Modified by batch identifier', 'The last batch that modified the record.'),
        },
      },
    },
    allOf: [{ $ref: RECORD }, { $ref: '#/definitions/profile' }],
  }),
  standard('classes', EXPERIENCE_EVENT_CLASS, {
    title: 'XDM ExperienceEvent',
    description: 'A fact of what happened to a subject at a point in time.',
    'meta:abstract': true,
    'meta:extensible': true,
    'meta:extends': [TIME_SERIES],
    definitions: {
      experienceevent: {
        properties: {
          eventType: { title: 'Event Type', type: 'string', description: 'The primary event type of this record.' },
          producedBy: { title: 'Produced By', type: 'string', description: 'Who produced the event: self, system, salesRef, customerRep.' },
          identityMap,
        },
      },
    },
    allOf: [{ $ref: TIME_SERIES }, { $ref: '#/definitions/experienceevent' }],
  }),
  standard('mixins', IDENTITY_MAP_FIELD_GROUP, {
    title: 'IdentityMap',
    description: 'The identities of the profile, keyed by namespace.',
    'meta:abstract': true,
    'meta:extensible': true,
    'meta:intendedToExtend': [PROFILE_CLASS],
    definitions: { identitymap: { properties: { identityMap } } },
    allOf: [{ $ref: '#/definitions/identitymap' }],
  }),
  standard('mixins', PERSON_DETAILS_FIELD_GROUP, {
    title: 'Demographic Details',
    description: 'The name, birth date and gender of a person.',
    'meta:abstract': true,
    'meta:extensible': true,
    'meta:intendedToExtend': [PROFILE_CLASS],
    definitions: {
      'person-details': {
        properties: {
          person: {
            title: 'Person',
            type: 'object',
            properties: {
              name: { title: 'Full name', $ref: PERSON_NAME },
              birthDate: { title: 'Birth date', type: 'string', format: 'date' },
              gender: { title: 'Gender', type: 'string', enum: ['male', 'female', 'not_specified', 'non_specific'] },
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/person-details' }],
  }),
  standard('mixins', PERSONAL_CONTACT_FIELD_GROUP, {
    title: 'Personal Contact Details',
    description: 'The personal email, phone and home address of a person.',
    'meta:abstract': true,
    'meta:extensible': true,
    'meta:intendedToExtend': [PROFILE_CLASS],
    definitions: {
      'personal-details': {
        properties: {
          personalEmail: { title: 'Personal email', $ref: EMAIL_ADDRESS },
          mobilePhone: {
            title: 'Mobile phone',
            type: 'object',
            properties: { number: { title: 'Number', type: 'string' } },
          },
          homeAddress: {
            title: 'Home address',
            type: 'object',
            properties: {
              street1: { title: 'Street', type: 'string' },
              city: { title: 'City', type: 'string' },
              postalCode: { title: 'Postal code', type: 'string' },
              country: { title: 'Country', type: 'string' },
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/personal-details' }],
  }),
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const byId = new Map<string, XdmResource>();
for (const resource of resources) {
  deepFreeze(resource);
  byId.set(resource.$id, resource);
  byId.set(resource['meta:altId'], resource);
}

/** A standard resource by `$id` or `meta:altId`. */
export function globalResource(id: string): XdmResource | undefined {
  return byId.get(id);
}

export function globalResources(type: ResourceType | 'behaviors'): XdmResource[] {
  return resources.filter((r) => r['meta:resourceType'] === type);
}
