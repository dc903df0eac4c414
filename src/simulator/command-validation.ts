import { apiErrors, type FieldError } from './simulator-errors';

/** Discord's name rule for chat-input commands and options: 1–32 lowercase letters, digits, `-`, `_`, `'` (any script). */
const CHAT_INPUT_NAME = /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS = 100;
const MAX_OPTIONS = 25;
const MAX_CHOICES = 25;
const MAX_DESCRIPTION = 100;
const CommandType = { ChatInput: 1, User: 2, Message: 3, PrimaryEntryPoint: 4 } as const;
const OptionType = { Subcommand: 1, SubcommandGroup: 2, Attachment: 11 } as const;

interface OptionBody {
  type?: unknown;
  name?: unknown;
  description?: unknown;
  required?: unknown;
  choices?: unknown;
  options?: unknown;
}

function checkDescription(value: unknown, path: string, problems: FieldError[]): void {
  if (typeof value !== 'string' || value.length === 0)
    problems.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  else if (value.length > MAX_DESCRIPTION)
    problems.push({ path, code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between 1 and ${MAX_DESCRIPTION} in length.` });
}

function checkOptions(options: unknown, path: string, depth: number, problems: FieldError[]): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    problems.push({ path, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    return;
  }
  if (options.length > MAX_OPTIONS)
    problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_OPTIONS} or fewer in length.` });
  let sawOptional = false;
  const names = new Set<string>();
  options.forEach((raw: OptionBody, index) => {
    const at = `${path}.${index}`;
    const type = typeof raw?.type === 'number' ? raw.type : 0;
    if (!Number.isInteger(type) || type < OptionType.Subcommand || type > OptionType.Attachment) {
      problems.push({
        path: `${at}.type`,
        code: 'BASE_TYPE_CHOICES',
        message: `Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.`,
      });
    }
    if (typeof raw?.name !== 'string' || !CHAT_INPUT_NAME.test(raw.name)) {
      problems.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    } else if (names.has(raw.name)) {
      problems.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME', message: 'Option names must be unique' });
    } else names.add(raw.name);
    checkDescription(raw?.description, `${at}.description`, problems);
    const nested = type === OptionType.Subcommand || type === OptionType.SubcommandGroup;
    // Subcommand groups hold subcommands, which hold plain options: nothing nests deeper.
    if (nested && depth >= 2)
      problems.push({
        path: `${at}.type`,
        code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        message: 'Subcommands cannot be nested this deep',
      });
    if (nested) checkOptions(raw.options, `${at}.options`, depth + 1, problems);
    if (!nested && raw?.required !== true) sawOptional = true;
    else if (!nested && sawOptional)
      problems.push({
        path: `${at}.required`,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    if (Array.isArray(raw?.choices) && raw.choices.length > MAX_CHOICES) {
      problems.push({ path: `${at}.choices`, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_CHOICES} or fewer in length.` });
    }
  });
}

/**
 * Refuses a bulk overwrite that Discord refuses (50035 with the `errors` tree): bad names or
 * descriptions, too many commands/options/choices, duplicates, required options after optional ones.
 */
export function validateCommands(body: unknown): void {
  if (!Array.isArray(body)) throw apiErrors.invalidFormBody({ path: '', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
  const problems: FieldError[] = [];
  if (body.length > MAX_COMMANDS)
    problems.push({ path: '', code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_COMMANDS} or fewer in length.` });
  const seen = new Set<string>();
  body.forEach((raw: OptionBody, index) => {
    const at = String(index);
    const type = raw?.type ?? CommandType.ChatInput;
    if (typeof type !== 'number' || !Object.values(CommandType).includes(type as 1)) {
      problems.push({ path: `${at}.type`, code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, 2, 3, 4}.' });
    }
    const chatInput = type === CommandType.ChatInput;
    const name = raw?.name;
    const validName = typeof name === 'string' && (chatInput ? CHAT_INPUT_NAME.test(name) : name.length >= 1 && name.length <= 32);
    if (!validName) problems.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    else if (seen.has(`${String(type)}:${name}`))
      problems.push({
        path: `${at}.name`,
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: 'Application command names must be unique',
      });
    else seen.add(`${String(type)}:${name}`);
    if (chatInput) {
      checkDescription(raw?.description, `${at}.description`, problems);
      checkOptions(raw?.options, `${at}.options`, 0, problems);
    }
  });
  if (problems.length > 0) throw apiErrors.invalidFormBody(...problems);
}
