import type {
  APIAttachment,
  APIEmbed,
  APIMessage,
  APIMessageInteractionMetadata,
  APIMessageTopLevelComponent,
  APIUser,
  MessageFlags,
} from 'discord.js';
import { EmbedType } from 'discord.js';
import { DiscordApiError, apiErrors, type FieldError } from '../simulator-errors';
import type { Mentions } from './mentions';

/** The message fields the simulator reads from create/edit bodies (JSON or multipart `payload_json`). */
export interface MessageBody {
  content?: string;
  embeds?: APIEmbed[];
  flags?: number;
  components?: APIMessageTopLevelComponent[];
  tts?: boolean;
  attachments?: { id: string | number; filename?: string; description?: string }[];
  /** Up to 25 characters (or an integer), echoed in the message; with `enforce_nonce`, a repeat gets the original message. */
  nonce?: string | number;
  enforce_nonce?: boolean;
}

/** A file part of a multipart request. */
export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
}

export interface MessageContext {
  id: string;
  channelId: string;
  author: APIUser;
  /** Discord message type: 0 default, 20 chat-input command reply. */
  type?: number;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
  files?: UploadedFile[];
  /** Users and roles the content mentions (`mentionsIn`). */
  mentions?: Mentions;
  /** A deferred reply's placeholder: no content yet, LOADING flag. */
  loading?: boolean;
}

const MESSAGE_LOADING_FLAG = 1 << 7;
const MAX_CONTENT = 2000;
const MAX_EMBEDS = 10;
const MAX_NONCE = 25;

/** Checks a create/edit body the way Discord's form validation does for the fields we support. */
export function readMessageBody(raw: unknown, options: { requireContent: boolean; files?: UploadedFile[] }): MessageBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw apiErrors.invalidFormBody({ path: '', code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' });
  }
  const body = raw as MessageBody;
  const problems: FieldError[] = [];
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    problems.push({ path: 'content', code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
  } else if ((body.content?.length ?? 0) > MAX_CONTENT) {
    problems.push({ path: 'content', code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_CONTENT} or fewer in length.` });
  }
  if (body.embeds !== undefined && body.embeds !== null && !Array.isArray(body.embeds)) {
    problems.push({ path: 'embeds', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
  } else if ((body.embeds?.length ?? 0) > MAX_EMBEDS) {
    problems.push({ path: 'embeds', code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_EMBEDS} or fewer in length.` });
  }
  if (body.nonce !== undefined && typeof body.nonce !== 'string' && !Number.isInteger(body.nonce)) {
    problems.push({ path: 'nonce', code: 'BASE_TYPE_STRING', message: 'Must be a string or an integer.' });
  } else if (typeof body.nonce === 'string' && body.nonce.length > MAX_NONCE) {
    problems.push({ path: 'nonce', code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_NONCE} or fewer in length.` });
  }
  if (problems.length > 0) throw apiErrors.invalidFormBody(...problems);
  const empty = !body.content && !body.embeds?.length && !body.components?.length && !options.files?.length;
  if (options.requireContent && empty) throw new DiscordApiError(400, 50006, 'Cannot send an empty message');
  return body;
}

function attachmentsFor(files: UploadedFile[] | undefined, messageId: string, channelId: string): APIAttachment[] {
  return (files ?? []).map((file, index) => ({
    id: `${messageId}${index}`,
    filename: file.filename,
    size: file.size,
    content_type: file.contentType,
    url: `https://cdn.discordapp.com/attachments/${channelId}/${messageId}/${file.filename}`,
    proxy_url: `https://media.discordapp.net/attachments/${channelId}/${messageId}/${file.filename}`,
  }));
}

/** Embeds a bot sends are `rich` ones; Discord fills in the type and each field's `inline`. */
function richEmbeds(embeds: APIEmbed[] | null | undefined): APIEmbed[] {
  return (embeds ?? []).map((embed) => ({
    type: EmbedType.Rich,
    ...embed,
    ...(embed.fields ? { fields: embed.fields.map((field) => ({ ...field, inline: field.inline ?? false })) } : {}),
  }));
}

export function messagePayload(body: MessageBody, context: MessageContext): APIMessage {
  const message: APIMessage = {
    id: context.id,
    channel_id: context.channelId,
    author: context.author,
    content: body.content ?? '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: body.tts ?? false,
    mention_everyone: context.mentions?.everyone ?? false,
    mentions: context.mentions?.users ?? [],
    mention_roles: context.mentions?.roles ?? [],
    attachments: attachmentsFor(context.files, context.id, context.channelId),
    embeds: richEmbeds(body.embeds),
    components: body.components ?? [],
    pinned: false,
    type: context.type ?? 0,
    flags: ((body.flags ?? 0) | (context.loading ? MESSAGE_LOADING_FLAG : 0)) as MessageFlags,
  };
  if (body.nonce !== undefined) message.nonce = body.nonce;
  if (context.webhookId) message.webhook_id = context.webhookId;
  if (context.applicationId) message.application_id = context.applicationId;
  if (context.interactionMetadata) message.interaction_metadata = context.interactionMetadata;
  return message;
}

/** An edit: only the fields present in the body change; a deferred placeholder stops loading. */
export function editedMessagePayload(existing: APIMessage, body: MessageBody, files?: UploadedFile[]): APIMessage {
  const edited: APIMessage = {
    ...existing,
    edited_timestamp: new Date().toISOString(),
    flags: ((existing.flags ?? 0) & ~MESSAGE_LOADING_FLAG) as MessageFlags,
  };
  if (body.content !== undefined) edited.content = body.content ?? '';
  if (body.embeds !== undefined) edited.embeds = richEmbeds(body.embeds);
  if (body.components !== undefined) edited.components = body.components ?? [];
  if (files?.length) edited.attachments = attachmentsFor(files, existing.id, existing.channel_id);
  return edited;
}

export function isLoading(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MESSAGE_LOADING_FLAG) !== 0;
}
