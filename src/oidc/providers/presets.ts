import { PRESET_CATALOG } from '../../idp-presets/catalog.js';
import type { ProviderKind } from './types.js';
import type { ProviderSettingKey } from './settings.js';

/**
 * Presets fill in a provider's quirks (claim paths, scopes, issuer templates) from a name:
 * `preset: keycloak`. A preset only supplies defaults: anything the operator sets wins.
 * Presets register themselves here; the loader applies them before validation.
 */
export interface ProviderPreset {
  readonly kind: ProviderKind;
  /** Default values in the form an operator would type them (strings, lists, booleans). */
  defaults(settings: Readonly<Record<string, unknown>>): Partial<Record<ProviderSettingKey, unknown>>;
  /** Extra checks once the settings are parsed; returns problems as [settingKey, message]. */
  validate?(settings: Readonly<Record<string, unknown>>): Array<[ProviderSettingKey, string]>;
}

const PRESETS = new Map<string, ProviderPreset>();

export function registerPreset(name: string, preset: ProviderPreset): void {
  if (PRESETS.has(name)) throw new Error(`provider preset ${name} is registered twice`);
  PRESETS.set(name, preset);
}

export function presetNamed(name: string): ProviderPreset | undefined {
  return PRESETS.get(name);
}

export function presetNames(): string[] {
  return [...PRESETS.keys()].sort();
}

// The built-in presets (src/idp-presets/catalog.ts).
for (const [name, definition] of Object.entries(PRESET_CATALOG)) registerPreset(name, definition as ProviderPreset);
