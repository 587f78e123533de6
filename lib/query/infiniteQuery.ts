import { EMPTY, Observable, catchError, concatMap, defer, filter, firstValueFrom, ignoreElements, lastValueFrom, map, of } from 'rxjs';
import { cacheQuery } from '../../operators/cacheQuery.js';
import { retryBackoff, type RetryBackoffConfig } from '../../operators/retryBackoff.js';
import type { CacheHost } from './cacheHost.js';
import { fromFetcher } from './fromFetcher.js';
import { validateOptions, queryOptionKeys, type FetchContext, type SharedQueryOptions } from './options.js';
import { hashQueryKey, type QueryKey } from './queryKey.js';
import type { QueryState } from './queryState.js';
import { queryRetry } from './retryConfig.js';

/** The pages of an infinite query, in the order they were loaded, with the param of each. */
export interface InfiniteData<TPage, TParam> {
  readonly pages: readonly TPage[];
  readonly pageParams: readonly TParam[];
}

/** What an infinite query's fetcher receives. */
export interface PageFetchContext<K extends QueryKey, TParam> extends FetchContext<K> {
  readonly pageParam: TParam;
}

/** Options of `client.infiniteQuery`. */
export interface InfiniteQueryOptions<TPage, TParam, K extends QueryKey = QueryKey> extends SharedQueryOptions {
  key: K;
  /** Loads one page. */
  fetch: (context: PageFetchContext<K, TParam>) => Promise<TPage> | TPage;
  /** The param of the first page. */
  initialPageParam: TParam;
  /** The param of the page after `lastPage`, or `undefined`/`null` when there is none. */
  getNextPageParam: (lastPage: TPage, pages: readonly TPage[], lastParam: TParam, params: readonly TParam[]) => TParam | undefined | null;
  /** Keep at most this many pages (oldest dropped first). Default: all. */
  maxPages?: number;
  /** Refetch every this many ms while observed. */
  refetchInterval?: number | false;
  /** When false, never fetches. */
  enabled?: boolean;
}

/** What an infinite query's subscribers see: a {@link QueryState} (narrowed by `status` too) and the paging flags. */
export type InfiniteQueryState<TPage, TParam> = QueryState<InfiniteData<TPage, TParam>> & {
  /** `getNextPageParam` says there is another page. */
  readonly hasNextPage: boolean;
  /** The running fetch is `fetchNextPage`, not a refetch. */
  readonly isFetchingNextPage: boolean;
};

/** The state stream of an infinite query, and the way to load the next page. */
export type InfiniteQuery<TPage, TParam> = Observable<InfiniteQueryState<TPage, TParam>> & {
  /** Loads the page after the last one (joins a load already running); resolves when settled. */
  fetchNextPage(): Promise<void>;
};

const infiniteKeys = [
  ...queryOptionKeys.filter((k) => k !== 'select' && k !== 'placeholder'),
  'initialPageParam',
  'getNextPageParam',
  'maxPages',
];

/** @internal Builds `client.infiniteQuery` on the cache: a refetch reloads every loaded page in order. */
export function createInfiniteQuery<TPage, TParam, K extends QueryKey>(
  host: CacheHost,
  options: InfiniteQueryOptions<TPage, TParam, K>,
): InfiniteQuery<TPage, TParam> {
  type Data = InfiniteData<TPage, TParam>;
  let hashed: ReturnType<typeof hashQueryKey>;
  try {
    validateOptions(options, infiniteKeys, 'client.infiniteQuery');
    hashed = hashQueryKey(options.key);
  } catch (error) {
    return Object.assign(new Observable<never>((s) => s.error(error)), { fetchNextPage: () => Promise.reject(error) });
  }
  const retry: RetryBackoffConfig = queryRetry(options, host.online, () => host.cache.build(hashed));
  const nextParam = (data: Data): TParam | undefined | null => {
    const last = data.pages.length - 1;
    if (last < 0) return options.initialPageParam;
    return options.getNextPageParam(data.pages[last]!, data.pages, data.pageParams[last]!, data.pageParams);
  };
  const fetchPage = (pageParam: TParam): Observable<TPage> =>
    fromFetcher<TPage, PageFetchContext<K, TParam>>(options.fetch, { key: options.key, pageParam }, options.key).pipe(retryBackoff(retry));
  const append = (data: Data, page: TPage, param: TParam): Data => {
    const pages = [...data.pages, page];
    const pageParams = [...data.pageParams, param];
    const drop = options.maxPages !== undefined ? Math.max(0, pages.length - options.maxPages) : 0;
    return { pages: pages.slice(drop), pageParams: pageParams.slice(drop) };
  };
  // Loads `count` pages from the first, in order; emits once, with all of them.
  const loadPages = (data: Data, count: number): Observable<Data> => {
    const param = nextParam(data);
    if (count === 0 || param === undefined || param === null) return of(data);
    return fetchPage(param).pipe(concatMap((page) => loadPages(append(data, page, param), count - 1)));
  };
  const entry = () => host.cache.build<Data>(hashed);
  const refetchAll$ = defer(() => loadPages({ pages: [], pageParams: [] }, Math.max(1, entry().current.data?.pages.length ?? 1)));

  const states$ = refetchAll$.pipe(
    cacheQuery<Data>(host, options.key, options),
    map((state): InfiniteQueryState<TPage, TParam> => {
      const param = state.data === undefined ? undefined : nextParam(state.data);
      return {
        ...state,
        hasNextPage: state.data !== undefined && param !== undefined && param !== null,
        isFetchingNextPage: state.isFetching && entry().current.fetchMeta === 'nextPage',
      };
    }),
  );

  const fetchNextPage = async (): Promise<void> => {
    // One fetch at a time per key: wait for a running refetch, then append after its result.
    await firstValueFrom(entry().state.pipe(filter((s) => s.fetchStatus === 'idle')));
    const next$ = defer(() => {
      const data = entry().current.data ?? { pages: [], pageParams: [] };
      const param = nextParam(data);
      if (param === undefined || param === null) return EMPTY;
      return fetchPage(param).pipe(map((page) => append(entry().current.data ?? data, page, param)));
    });
    await lastValueFrom(
      entry()
        .run(next$, 'nextPage')
        .pipe(
          ignoreElements(),
          catchError(() => EMPTY),
        ),
      { defaultValue: undefined },
    );
  };

  return Object.assign(states$, { fetchNextPage });
}
