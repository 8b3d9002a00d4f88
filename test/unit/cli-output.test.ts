import { describe, expect, it } from 'vitest';
import { capped } from '../../main/cli/output.ts';

describe('long lists in command output', () => {
  it('shows a short list whole', () => {
    expect(capped(['a', 'b'], 2)).toEqual(['a', 'b']);
  });

  it('shows the first lines of a long one and says how many more --json has', () => {
    const lines = Array.from({ length: 7366 }, (_, i) => `  item ${i}`);
    const shown = capped(lines, 50);
    expect(shown).toHaveLength(51);
    expect(shown.slice(0, 50)).toEqual(lines.slice(0, 50));
    expect(shown[50]).toBe('  … and 7316 more (use --json for all)');
  });
});
