import { randomBytes } from 'node:crypto';
import { InvalidErrorCodeError } from './moddy-error';

/** Crockford base32: digits and upper-case letters without I, L, O and U (no look-alikes). */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;

/** A random 8-character code from a cryptographic source (40 bits: 32^8 ≈ 1.1e12 codes). */
export function generateErrorCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = '';
  // 256 is a multiple of 32, so taking 5 bits of each byte is unbiased.
  for (const byte of bytes) code += CODE_ALPHABET[byte & 31];
  return code;
}

const SLIPS: Record<string, string> = { O: '0', I: '1', L: '1' };

/**
 * The canonical form of a code a user typed: upper case, look-alikes mended (O→0, I/L→1),
 * spaces and dashes ignored. Throws `InvalidErrorCodeError` when it cannot be a code.
 */
export function normaliseErrorCode(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidErrorCodeError(input);
  const code = input
    .trim()
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[OIL]/g, (slip) => SLIPS[slip] ?? slip);
  if (code.length !== CODE_LENGTH || [...code].some((char) => !CODE_ALPHABET.includes(char))) {
    throw new InvalidErrorCodeError(input);
  }
  return code;
}
