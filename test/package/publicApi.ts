import { join } from 'node:path';
import ts from 'typescript';

/** Source file of each public entry point (the `input` of rollup.config.mjs), by import specifier. */
export const ENTRY_SOURCES: Readonly<Record<string, string>> = {
  rxsync: 'lib/index.ts',
  'rxsync/operators': 'operators/index.ts',
  'rxsync/transports': 'transports/index.ts',
  'rxsync/storage': 'lib/storage/entry.ts',
  'rxsync/protocol': 'lib/protocol/index.ts',
  'rxsync/node': 'node/index.ts',
  'rxsync/server': 'server/index.ts',
  'rxsync/testing': 'testing/index.ts',
  'rxsync/yjs': 'yjs/index.ts',
  'rxsync/angular': 'angular/index.ts',
  'rxsync/svelte': 'svelte/index.ts',
  'rxsync/react': 'react/index.ts',
};

/** What one entry point exports, as dotted paths (`lwwMap.create`), with each type's arity. */
export interface EntryApi {
  readonly specifier: string;
  readonly values: string[];
  readonly types: { readonly path: string; readonly arity: number }[];
}

/** True when an export is declared with `export type` (a type-only alias of a class, say). */
function isTypeOnlyExport(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some(
    (d) => (ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly)) || (ts.isNamespaceExport(d) && d.parent.isTypeOnly),
  );
}

function arity(symbol: ts.Symbol): number {
  let count = 0;
  for (const d of symbol.declarations ?? []) {
    if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d))
      count = Math.max(count, d.typeParameters?.length ?? 0);
  }
  return count;
}

/**
 * Every value and type the sources export from each entry point, namespaces (`export * as lwwMap`)
 * included member by member. Read from the sources, not from dist, so a member the declaration
 * bundle loses or turns from a type into a value is still on the list.
 */
export function publicApi(root: string): EntryApi[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('tsconfig.build.json unreadable');
  const files = Object.values(ENTRY_SOURCES).map((f) => join(root, f));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  return Object.entries(ENTRY_SOURCES).map(([specifier, file]) => {
    const api: EntryApi = { specifier, values: [], types: [] };
    const walk = (module: ts.Symbol, prefix: string): void => {
      for (const exported of checker.getExportsOfModule(module)) {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const path = prefix + exported.name;
        const typeOnly = isTypeOnlyExport(exported);
        if (target.flags & ts.SymbolFlags.ValueModule) {
          if (!typeOnly) api.values.push(path);
          walk(target, path + '.');
          continue;
        }
        if (target.flags & ts.SymbolFlags.Value && !typeOnly) api.values.push(path);
        if (target.flags & ts.SymbolFlags.Type) api.types.push({ path, arity: arity(target) });
      }
    };
    const source = program.getSourceFile(join(root, file));
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`no module symbol for ${file}`);
    walk(module, '');
    return api;
  });
}

/**
 * A consumer file that touches every export: each value in a value position, each type (generic
 * ones with `never` arguments, which satisfy any constraint) in a type position.
 */
export function consumerSource(apis: readonly EntryApi[]): string {
  const lines = ['// Generated: every value and every type of every rxsync entry point.'];
  apis.forEach((api, i) => lines.push(`import * as e${i} from '${api.specifier}';`));
  apis.forEach((api, i) => {
    lines.push(`export const values${i}: readonly unknown[] = [`, ...api.values.map((v) => `  e${i}.${v},`), '];');
    const args = (n: number): string => (n === 0 ? '' : `<${Array.from({ length: n }, () => 'never').join(', ')}>`);
    lines.push(`export type Types${i} = [`, ...api.types.map((t) => `  e${i}.${t.path}${args(t.arity)},`), '];');
  });
  return lines.join('\n') + '\n';
}
