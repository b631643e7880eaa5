import type { Visibility } from '@tube/shared';
import type { IconName } from './Icon.tsx';

export const VISIBILITY_OPTIONS: ReadonlyArray<{ value: Visibility; label: string; icon: IconName; hint: string }> = [
  { value: 'public', label: 'Public', icon: 'globe', hint: 'Everyone can find and watch it' },
  { value: 'unlisted', label: 'Unlisted', icon: 'link', hint: 'Anyone with the link can watch it' },
  { value: 'private', label: 'Private', icon: 'lock', hint: 'Only you can watch it' },
];

export function VisibilitySelect({
  value,
  onChange,
  ...control
}: {
  id: string;
  'aria-describedby': string | undefined;
  value: Visibility;
  onChange(value: Visibility): void;
  disabled?: boolean;
}) {
  return (
    <select
      {...control}
      name="visibility"
      value={value}
      onChange={(event) => {
        const chosen = VISIBILITY_OPTIONS.find((option) => option.value === event.target.value);
        if (chosen) onChange(chosen.value);
      }}
    >
      {VISIBILITY_OPTIONS.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label} — {option.hint}
        </option>
      ))}
    </select>
  );
}
