import { readFileSync } from 'node:fs';

/** One ```ts or ```tsx block of a markdown file, ready to compile as a module of its own. */
export interface TsBlock {
  /** 1-based line of the opening fence, to name the block in compiler output. */
  readonly line: number;
  readonly source: string;
  /** The file extension the block compiles as: `tsx` blocks hold JSX (the React section). */
  readonly ext: 'ts' | 'tsx';
}

const importLine = /^import\s[^;]*;$/gm;

/**
 * The ```ts and ```tsx blocks of a markdown file. A block without imports continues the one before it (the
 * README's "Fallback" block uses the transports the block above imported), so it gets that block's
 * import lines; nothing else is added.
 */
export function tsBlocks(markdownFile: string): TsBlock[] {
  const lines = readFileSync(markdownFile, 'utf8').split('\n');
  const blocks: TsBlock[] = [];
  let imports: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i]!.trim();
    if (fence !== '```ts' && fence !== '```tsx') continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i]!.trim() !== '```') body.push(lines[i]!);
    const text = body.join('\n');
    const own = text.match(importLine) ?? [];
    if (own.length > 0) imports = own;
    const inherited = own.length > 0 ? [] : imports;
    blocks.push({ line: start + 1, source: [...inherited, text, 'export {};', ''].join('\n'), ext: fence === '```tsx' ? 'tsx' : 'ts' });
  }
  return blocks;
}

/**
 * Names the README blocks take from the app around them (its own data type, render function, API
 * client, session…), declared once with the narrowest honest types. Library values a block gets
 * from an earlier paragraph (`client`, `transport`, `live`, `note`) are typed with the library's own types.
 */
export const README_PRELUDE = `import type { QueryClient, Outbox, LiveMap, lwwMap, Json, Stamp } from 'rxsync';
import type { Transport } from 'rxsync/transports';

declare global {
  interface Todo {
    id: number;
    title: string;
    done: boolean;
  }
  type Update = { kind: 'todo'; todo: Todo };
  type Command = { kind: 'subscribe'; room: string };
  /** The app's UI. */
  function render(value: unknown): void;
  function showChoices(choices: { value: string; by: string }[]): void;
  function showBanner(state: string, error?: unknown): void;
  function showAvatars(peers: unknown): void;
  function applyUpdate(update: Update): void;
  function isClientError(error: unknown): boolean;
  /** The app's own HTTP API. */
  const api: { user(id: string): Promise<{ name: string }>; config(): Promise<Record<string, string>> };
  const id: string;
  const deviceId: string;
  const session: { token: string; refresh(): Promise<void> };
  const todo: Todo;
  const passphrase: string;
  const salt: Uint8Array;
  const element: HTMLElement;
  const room: string;
  const acknowledgedStampsOfAllReplicas: Stamp[];
  let doc: lwwMap.LwwMap<Json>;
  /** Made by the client, outbox and transport sections. */
  const client: QueryClient;
  const outbox: Outbox;
  const transport: Transport<unknown, unknown>;
  const live: Transport<unknown, unknown>;
  /** The live document of the Live sync section. */
  const note: LiveMap;
}
`;
