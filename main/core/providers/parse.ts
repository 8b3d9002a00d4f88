import { z } from 'zod';

/*
 * Lenient reading of provider answers. Each part of an answer is checked on its own: a part of
 * the wrong shape is dropped and noted, the rest still counts. Whoever parses learns whether the
 * answer was whole (then it may be cached, and what is missing from it is really gone).
 *
 * zod parses synchronously, so the notes of the parse in progress can live in one module slot.
 */
let notes: string[] | null = null;

function note(text: string): void {
  notes?.push(text);
}

/** A part that may be wrong without spoiling the rest: it becomes `fallback`, and the problem is noted. */
export function soft<T extends z.ZodType>(schema: T, fallback: z.output<T>, what: string) {
  return schema.catch((ctx) => {
    note(`${what}: ${ctx.error.issues[0]?.message ?? 'invalid'}`);
    return fallback;
  });
}

/**
 * A list whose bad entries are dropped one by one (and noted). Anything that is not a list
 * becomes null, "unknown", which is not the same as an empty list: nothing is overwritten with it.
 */
export function softList<T extends z.ZodType>(item: T, what: string) {
  return soft(z.array(z.unknown()).nullable(), null, what).transform((entries) =>
    entries === null
      ? null
      : entries.flatMap((entry, i): z.output<T>[] => {
          const r = item.safeParse(entry);
          if (r.success) return [r.data];
          note(`${what}[${i}]: ${r.error.issues[0]?.message ?? 'invalid'}`);
          return [];
        }),
  );
}

/** A number, also when sent as a numeric string (Fanart.tv sends every number as a string). */
export const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** A number that may be missing or wrong: null then. */
export const optionalNumber = (what: string) => soft(numeric.nullish(), null, what).transform((v) => v ?? null);

/** A string that may be missing or wrong: null then, and blanks are null too. */
export const optionalText = (what: string) =>
  soft(z.string().nullish(), null, what).transform((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null));

export interface Parsed<T> {
  value: T;
  /** Parts that were dropped; empty when the answer was whole. */
  problems: string[];
}

/** Parses leniently; null `value` when even the essentials (the schema's hard parts) are wrong. */
export function parseLeniently<T extends z.ZodType>(schema: T, input: unknown): Parsed<z.output<T> | null> {
  const outer = notes;
  notes = [];
  try {
    const r = schema.safeParse(input);
    const problems = notes;
    if (!r.success) {
      const issue = r.error.issues[0];
      problems.unshift(`${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`);
      return { value: null, problems };
    }
    return { value: r.data, problems };
  } finally {
    notes = outer;
  }
}
