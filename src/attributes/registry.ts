/** Which kind of entity an attribute or a row belongs to. */
export type EntityType = 'user' | 'guild';

export const ENTITY_TYPES: readonly EntityType[] = ['user', 'guild'];

export const LANGUAGES = ['FR', 'EN'] as const;
export type Language = (typeof LANGUAGES)[number];

interface BooleanAttribute {
  readonly kind: 'boolean';
  readonly entities: readonly EntityType[];
}

interface ValuedAttribute {
  readonly kind: 'valued';
  readonly entities: readonly EntityType[];
  /** The values the attribute may take. */
  readonly values: readonly string[];
}

export type AttributeDefinition = BooleanAttribute | ValuedAttribute;

const user = ['user'] as const;
const guild = ['guild'] as const;
const both = ['user', 'guild'] as const;

/**
 * Every attribute Moddy knows, in one place. Adding an attribute is one line here.
 * Boolean attributes are stored only while true; valued ones store their value.
 */
export const ATTRIBUTES = {
  BETA: { kind: 'boolean', entities: user },
  PREMIUM: { kind: 'boolean', entities: user },
  DEVELOPER: { kind: 'boolean', entities: user },
  BLACKLISTED: { kind: 'boolean', entities: user },
  VERIFIED: { kind: 'boolean', entities: user },
  SUPPORTER: { kind: 'boolean', entities: user },
  TRACK: { kind: 'boolean', entities: user },
  OFFICIAL_SERVER: { kind: 'boolean', entities: guild },
  BETA_FEATURES: { kind: 'boolean', entities: guild },
  PREMIUM_GUILD: { kind: 'boolean', entities: guild },
  VERIFIED_GUILD: { kind: 'boolean', entities: guild },
  LEGACY: { kind: 'boolean', entities: guild },
  LANG: { kind: 'valued', entities: both, values: LANGUAGES },
} as const satisfies Record<string, AttributeDefinition>;

export type AttributeName = keyof typeof ATTRIBUTES;

/** A stored attribute value: `true` for a boolean attribute, the value for a valued one. */
export type AttributeValue = true | string;

/** The stored attributes of one user or guild (absent boolean = false). */
export type Attributes = Partial<Record<AttributeName, AttributeValue>>;
