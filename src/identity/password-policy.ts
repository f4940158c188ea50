import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** NIST SP 800-63B-4: at least 15 characters for a password-only account, at least 64 allowed. */
export const PASSWORD_MIN_LENGTH = 15;
/** Generous; longer input is refused, never truncated. */
export const PASSWORD_MAX_LENGTH = 256;
/** zxcvbn score 0-4; 3: about 10^8 guesses or more, 4: 10^10 or more. */
const MIN_SCORE = 3;
/** A password leaning on context words must be strong even so. */
const MIN_SCORE_WITH_CONTEXT = 4;
/**
 * zxcvbn's cost grows fast with length and l33t variants (seconds for a
 * crafted 256 characters): it rates the first 64 characters, with few l33t
 * combinations and no Levenshtein pass, some tens of milliseconds at worst.
 * A longer password is at least as strong as its first 64 characters.
 */
const ESTIMATOR_LIMITS = { maxLength: 64, l33tMaxSubstitutions: 10, useLevenshteinDistance: false };

/** What a password must not be built from: the account's email, its organization, the service's name. */
export interface PasswordContext {
  email?: string;
  organizationName?: string;
  serviceNames: readonly string[];
}

let estimator: ZxcvbnFactory | undefined;

/** Built on first use: ranking the dictionaries takes a noticeable moment. */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    ...ESTIMATOR_LIMITS,
  });
  return estimator;
}

/** The context as words the estimator matches: whole values and their parts (`alice.smith@acme.com` → `alice`, `smith`, `acme`…). */
export function contextWords(context: PasswordContext): string[] {
  const values = [context.email, context.email?.split('@')[0], context.organizationName, ...context.serviceNames];
  const words = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    words.add(value.toLowerCase());
    for (const part of value.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

/**
 * Why `password` is not acceptable, or null when it is. No composition rules:
 * length, then how guessable it is against common and breached-style passwords,
 * dictionaries, keyboard patterns and the context words.
 */
export function passwordWeakness(password: string, context: PasswordContext): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters long`;

  const result = zxcvbn().check(password, contextWords(context));
  const usesContext = result.sequence.some(
    (match) => 'dictionaryName' in match && match.dictionaryName === 'userInputs',
  );
  if (result.score >= (usesContext ? MIN_SCORE_WITH_CONTEXT : MIN_SCORE)) return null;
  if (usesContext) return 'is too close to your email, your organization or the name of this service';
  const warning = result.feedback.warning;
  return warning ? `is too easy to guess (${warning.replace(/\.$/, '').toLowerCase()})` : 'is too easy to guess';
}
