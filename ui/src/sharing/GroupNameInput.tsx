// A group name with suggestions: administrators get every group the gateway knows (seen at
// sign-ins, from SCIM, created ahead of use, named in grants); others their own groups only (the
// gateway does not tell them which other groups exist). An unknown name is warned about.
import { useId } from 'react';
import { api } from '../api';
import { useLoad } from '../use-load';

export interface Suggestions {
  groups: string[];
  /** True: every known group is listed, so a name not in it is unknown to the gateway. */
  complete: boolean;
}

export function useGroupSuggestions() {
  return useLoad(() => api.get<Suggestions>('group-suggestions'), []);
}

/** Why a name deserves a second look before granting, or undefined. */
export function unknownGroupWarning(name: string, s: Suggestions | undefined): string | undefined {
  const n = name.trim();
  if (!n || !s || s.groups.includes(n)) return undefined;
  const close = s.groups.find((g) => g.toLowerCase() === n.toLowerCase());
  if (close) return `No group is named exactly "${n}" — did you mean "${close}"? Group names are compared exactly.`;
  return s.complete
    ? `The gateway knows no group "${n}": nobody signed in with it, SCIM did not provision it and no administrator created it. Check the spelling.`
    : `"${n}" is not one of your groups, so the gateway cannot tell you whether it exists. Check the spelling.`;
}

export function GroupNameInput({ value, onChange, suggestions, label = 'Group name' }: { value: string; onChange: (v: string) => void; suggestions: Suggestions | undefined; label?: string }) {
  const list = useId();
  return (
    <>
      <input aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} required placeholder="team-a" list={list} autoComplete="off" />
      <datalist id={list}>{(suggestions?.groups ?? []).map((g) => <option key={g} value={g} />)}</datalist>
    </>
  );
}
