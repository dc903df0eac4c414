import { ModdyError } from '../core/moddy-error';

/** A wait on the simulator (a reply, a message, shards) did not complete within its deadline. */
export class SimulatorTimeoutError extends ModdyError {
  readonly code = 'SIMULATOR_TIMEOUT';

  constructor(
    readonly waitingFor: string,
    readonly timeoutMs: number,
  ) {
    super(`Timed out after ${timeoutMs} ms waiting for ${waitingFor}`);
  }
}

/** A control-API call that cannot be honoured (unknown guild, no shard connected, bad option…). */
export class SimulatorInputError extends ModdyError {
  readonly code = 'SIMULATOR_INVALID_INPUT';
}

/**
 * An error the fake Discord API answers with: HTTP status plus Discord's JSON error code. Thrown by
 * the store and the interaction tracker, turned into `{ message, code }` by the HTTP layer.
 */
export class DiscordApiError extends ModdyError {
  readonly code = 'SIMULATOR_API_ERROR';

  constructor(
    readonly status: number,
    readonly discordCode: number,
    message: string,
    readonly errors?: FormErrorTree,
  ) {
    super(message);
  }

  get body(): { message: string; code: number; errors?: FormErrorTree } {
    return { message: this.message, code: this.discordCode, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** Discord's `errors` of a 50035: nested by field path, `_errors` at the leaf. */
export interface FormErrorTree {
  [field: string]: FormErrorTree | { code: string; message: string }[];
}

/** One field's problem in a request body, as Discord reports it (`path` like `embeds.0.title`, '' for the body). */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

function errorTree(problems: FieldError[]): FormErrorTree {
  const root: FormErrorTree = {};
  for (const problem of problems) {
    let node = root;
    for (const key of problem.path.split('.').filter((part) => part.length > 0)) {
      const next = node[key];
      node = next && !Array.isArray(next) ? next : (node[key] = {});
    }
    const leaf = node._errors;
    if (Array.isArray(leaf)) leaf.push({ code: problem.code, message: problem.message });
    else node._errors = [{ code: problem.code, message: problem.message }];
  }
  return root;
}

/** The Discord errors the simulator answers with, as Discord spells them. */
export const apiErrors = {
  unauthorized: () => new DiscordApiError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordApiError(404, 0, '404: Not Found'),
  missingAccess: () => new DiscordApiError(403, 50001, 'Missing Access'),
  unknownChannel: () => new DiscordApiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordApiError(404, 10004, 'Unknown Guild'),
  unknownMember: () => new DiscordApiError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new DiscordApiError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordApiError(404, 10013, 'Unknown User'),
  unknownWebhook: () => new DiscordApiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordApiError(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: () => new DiscordApiError(400, 40060, 'Interaction has already been acknowledged.'),
  invalidFormBody: (...problems: FieldError[]) => new DiscordApiError(400, 50035, 'Invalid Form Body', errorTree(problems)),
  invalidJson: () => new DiscordApiError(400, 50109, 'The request body contains invalid JSON.'),
} as const;
