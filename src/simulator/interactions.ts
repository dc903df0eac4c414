import { randomBytes } from 'node:crypto';
import type { APIInteraction, APIMessage, APIUser } from 'discord.js';
import { apiErrors } from './simulator-errors';
import { mentionsIn } from './payloads/mentions';
import { editedMessagePayload, isLoading, messagePayload, readMessageBody, type UploadedFile } from './payloads/message';
import type { SimulatorStore } from './store';

/** Interaction callback types (Discord's `InteractionResponseType`). */
const Callback = { Message: 4, DeferredMessage: 5, DeferredUpdate: 6, UpdateMessage: 7 } as const;
const EPHEMERAL = 1 << 6;
/** Follow-ups and edits work for 15 minutes after the interaction, as on Discord. */
const WEBHOOK_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export interface CallbackRecord {
  type: number;
  data: unknown;
  at: number;
}

/** The settled answer to an interaction, as `InteractionHandle.response()` resolves it. */
export interface InteractionReply {
  /** The callback type the bot used first (4 reply, 5 deferred reply, 7 update, 9 modal, …). */
  type: number;
  deferred: boolean;
  ephemeral: boolean;
  /** The original response message: the reply, or the edited/first follow-up after a deferral. Null for modals, updates. */
  message: APIMessage | null;
  /** The callback's raw `data` (modal definition, autocomplete choices, …). */
  data: unknown;
  followUps: APIMessage[];
}

interface InteractionRecord {
  payload: APIInteraction;
  channelId: string;
  createdAt: number;
  callbacks: CallbackRecord[];
  original: APIMessage | null;
  /** The original answer is final: replied, or a deferral was resolved by an edit/follow-up. */
  settled: boolean;
  followUps: APIMessage[];
}

/** The `ChangeFeed` topic of one interaction's answers (callback, edits, follow-ups). */
export function interactionTopic(id: string): string {
  return `interaction:${id}`;
}

export function newInteractionToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
}

/**
 * Follows each interaction from dispatch to its final answer: the callback, edits of `@original`,
 * follow-ups. Enforces Discord's rules the bot must live with (one callback, within the response
 * window; follow-ups only after acknowledging).
 */
export class InteractionTracker {
  private readonly byId = new Map<string, InteractionRecord>();
  private readonly byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly store: SimulatorStore,
    private readonly applicationId: string,
    private readonly bot: () => APIUser,
    private readonly responseWindowMs: number,
  ) {}

  track(payload: APIInteraction, channelId: string): void {
    // Interactions past their webhook lifetime can no longer be answered: forget them (oldest first).
    for (const [id, old] of this.byId) {
      if (Date.now() - old.createdAt <= WEBHOOK_TOKEN_LIFETIME_MS) break;
      this.byId.delete(id);
      this.byToken.delete(old.payload.token);
    }
    const record: InteractionRecord = {
      payload,
      channelId,
      createdAt: Date.now(),
      callbacks: [],
      original: null,
      settled: false,
      followUps: [],
    };
    this.byId.set(payload.id, record);
    this.byToken.set(payload.token, record);
  }

  /** `POST /interactions/:id/:token/callback`. Returns the `with_response` body. */
  callback(id: string, token: string, body: unknown, files?: UploadedFile[]): object {
    const record = this.byId.get(id);
    if (!record || record.payload.token !== token || Date.now() - record.createdAt > this.responseWindowMs) {
      throw apiErrors.unknownInteraction();
    }
    if (record.callbacks.length > 0) throw apiErrors.alreadyAcknowledged();
    if (typeof body !== 'object' || body === null || typeof (body as { type?: unknown }).type !== 'number') {
      throw apiErrors.invalidFormBody({ path: 'type', code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    }
    const { type, data } = body as { type: number; data?: unknown };
    if (type === Callback.Message || type === Callback.DeferredMessage) {
      const messageBody = readMessageBody(data ?? {}, { requireContent: type === Callback.Message, files });
      record.original = messagePayload(messageBody, {
        ...this.messageContext(record),
        files,
        mentions: mentionsIn(messageBody.content, this.store),
        loading: type === Callback.DeferredMessage,
      });
      if (type === Callback.Message) this.publish(record.original);
    }
    record.callbacks.push({ type, data: data ?? null, at: Date.now() });
    record.settled = type !== Callback.DeferredMessage;
    this.store.changes.notify(interactionTopic(id));
    return {
      interaction: {
        id,
        type: record.payload.type,
        response_message_id: record.original?.id,
        response_message_loading: type === Callback.DeferredMessage,
        response_message_ephemeral: record.original ? ((record.original.flags ?? 0) & EPHEMERAL) !== 0 : undefined,
        channel_id: record.channelId,
        ...(record.payload.guild_id ? { guild_id: record.payload.guild_id } : {}),
      },
      // Discord describes a resource for message-creating callbacks only (4, and 7 which the simulator does not store).
      ...(type === Callback.Message && record.original ? { resource: { type, message: record.original } } : {}),
    };
  }

  /** `POST /webhooks/:appId/:token`: a follow-up; after a deferral the first one becomes the original. */
  followUp(appId: string, token: string, body: unknown, files?: UploadedFile[]): APIMessage {
    const record = this.webhookRecord(appId, token);
    const messageBody = readMessageBody(body, { requireContent: true, files });
    if (record.original && !record.settled && isLoading(record.original)) {
      return this.editOriginal(record, messageBody, files);
    }
    const message = messagePayload(messageBody, {
      ...this.messageContext(record),
      files,
      mentions: mentionsIn(messageBody.content, this.store),
    });
    record.followUps.push(message);
    this.publish(message);
    this.store.changes.notify(interactionTopic(record.payload.id));
    return message;
  }

  /** `GET /webhooks/:appId/:token/messages/:messageId` (`@original` or a follow-up's ID). */
  fetchMessage(appId: string, token: string, messageId: string): APIMessage {
    const record = this.webhookRecord(appId, token);
    const message = messageId === '@original' ? record.original : record.followUps.find((candidate) => candidate.id === messageId);
    if (!message) throw apiErrors.unknownMessage();
    return message;
  }

  /** `PATCH /webhooks/:appId/:token/messages/:messageId`. */
  editMessage(appId: string, token: string, messageId: string, body: unknown, files?: UploadedFile[]): APIMessage {
    const record = this.webhookRecord(appId, token);
    const messageBody = readMessageBody(body, { requireContent: false, files });
    if (messageId === '@original' || messageId === record.original?.id) {
      if (!record.original) throw apiErrors.unknownMessage();
      return this.editOriginal(record, messageBody, files);
    }
    const index = record.followUps.findIndex((candidate) => candidate.id === messageId);
    const current = record.followUps[index];
    if (!current) throw apiErrors.unknownMessage();
    const edited = editedMessagePayload(current, messageBody, files);
    record.followUps[index] = edited;
    this.store.replaceMessage(edited);
    return edited;
  }

  /** `DELETE /webhooks/:appId/:token/messages/:messageId` (`@original` or a follow-up's ID). */
  deleteMessage(appId: string, token: string, messageId: string): void {
    const record = this.webhookRecord(appId, token);
    if (messageId === '@original' || messageId === record.original?.id) {
      if (!record.original) throw apiErrors.unknownMessage();
      this.store.deleteMessage(record.original);
      record.original = null;
      record.settled = true;
    } else {
      const followUp = record.followUps.find((candidate) => candidate.id === messageId);
      if (!followUp) throw apiErrors.unknownMessage();
      record.followUps = record.followUps.filter((candidate) => candidate !== followUp);
      this.store.deleteMessage(followUp);
    }
    this.store.changes.notify(interactionTopic(record.payload.id));
  }

  /** The settled answer, or undefined while there is none (used with `ChangeFeed.waitFor`). */
  reply(id: string): InteractionReply | undefined {
    const record = this.byId.get(id);
    const first = record?.callbacks[0];
    if (!record || !first || !record.settled) return undefined;
    return {
      type: first.type,
      deferred: first.type === Callback.DeferredMessage || first.type === Callback.DeferredUpdate,
      ephemeral: ((record.original?.flags ?? 0) & EPHEMERAL) !== 0,
      message: record.original,
      data: first.data,
      followUps: [...record.followUps],
    };
  }

  followUps(id: string): APIMessage[] {
    return [...(this.byId.get(id)?.followUps ?? [])];
  }

  callbacks(id: string): CallbackRecord[] {
    return [...(this.byId.get(id)?.callbacks ?? [])];
  }

  private editOriginal(record: InteractionRecord, body: ReturnType<typeof readMessageBody>, files?: UploadedFile[]): APIMessage {
    const original = record.original;
    if (!original) throw apiErrors.unknownMessage();
    const wasLoading = isLoading(original);
    record.original = editedMessagePayload(original, body, files);
    if (wasLoading) {
      // A deferred reply appears in the channel when it gets its content; Discord keeps its first timestamp.
      record.original.edited_timestamp = null;
      this.publish(record.original);
    } else this.store.replaceMessage(record.original);
    record.settled = true;
    this.store.changes.notify(interactionTopic(record.payload.id));
    return record.original;
  }

  /** Non-ephemeral answers are visible in the channel, so they join its message list. */
  private publish(message: APIMessage): void {
    if (((message.flags ?? 0) & EPHEMERAL) === 0) this.store.addMessage(message);
  }

  private webhookRecord(appId: string, token: string): InteractionRecord {
    const record = this.byToken.get(token);
    if (appId !== this.applicationId || !record || Date.now() - record.createdAt > WEBHOOK_TOKEN_LIFETIME_MS) {
      throw apiErrors.unknownWebhook();
    }
    // Discord refuses webhook use of an interaction that was never acknowledged.
    if (record.callbacks.length === 0) throw apiErrors.unknownWebhook();
    return record;
  }

  private messageContext(record: InteractionRecord): {
    id: string;
    channelId: string;
    author: APIUser;
    type: number;
    webhookId: string;
    applicationId: string;
  } {
    return {
      id: this.store.snowflakes.next(),
      channelId: record.channelId,
      author: this.bot(),
      type: 20,
      webhookId: this.applicationId,
      applicationId: this.applicationId,
    };
  }
}
