import { createMetrics, METRICS_CONTENT_TYPE } from '../../../lib/metrics/index.js';
import { isRxSyncError } from '../../../lib/errors.js';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the text exposition format', () => {
    const metrics = createMetrics();
    const requests = metrics.counter({ name: 'app_requests_total', help: 'Requests served.' });
    const errors = metrics.counter({ name: 'app_errors_total', help: 'Errors by code.', labelNames: ['code'] });
    const open = metrics.gauge({ name: 'app_open', help: 'Open connections.', labelNames: ['transport'] });
    const latency = metrics.histogram({ name: 'app_latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
    requests.inc();
    requests.add(2);
    errors.inc({ code: 'E_HTTP' });
    errors.inc({ code: 'E_HTTP' });
    errors.inc({ code: 'E_X' });
    open.inc({ transport: 'ws' });
    open.inc({ transport: 'ws' });
    open.dec({ transport: 'ws' });
    open.set(5, { transport: 'sse' });
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(3);

    expect(metrics.render()).toBe(
      [
        '# HELP app_requests_total Requests served.',
        '# TYPE app_requests_total counter',
        'app_requests_total 3',
        '# HELP app_errors_total Errors by code.',
        '# TYPE app_errors_total counter',
        'app_errors_total{code="E_HTTP"} 2',
        'app_errors_total{code="E_X"} 1',
        '# HELP app_open Open connections.',
        '# TYPE app_open gauge',
        'app_open{transport="ws"} 1',
        'app_open{transport="sse"} 5',
        '# HELP app_latency_seconds Latency.',
        '# TYPE app_latency_seconds histogram',
        'app_latency_seconds_bucket{le="0.1"} 1',
        'app_latency_seconds_bucket{le="1"} 2',
        'app_latency_seconds_bucket{le="+Inf"} 3',
        'app_latency_seconds_sum 3.55',
        'app_latency_seconds_count 3',
        '',
      ].join('\n'),
    );
    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('shows an unlabelled metric before its first use, a labelled one only per seen series', () => {
    const metrics = createMetrics();
    metrics.counter({ name: 'a_total', help: 'A.' });
    metrics.counter({ name: 'b_total', help: 'B.', labelNames: ['x'] });
    expect(metrics.render()).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 0\n# HELP b_total B.\n# TYPE b_total counter\n');
  });

  it('escapes help text and label values, and spells special numbers the Prometheus way', () => {
    const metrics = createMetrics();
    const g = metrics.gauge({ name: 'g', help: 'back\\slash\nnew line', labelNames: ['v'] });
    g.set(Infinity, { v: 'quote " back \\ nl \n' });
    g.set(-Infinity, { v: 'b' });
    g.set(NaN, { v: 'c' });
    expect(metrics.render().split('\n')).toEqual([
      '# HELP g back\\\\slash\\nnew line',
      '# TYPE g gauge',
      'g{v="quote \\" back \\\\ nl \\n"} +Inf',
      'g{v="b"} -Inf',
      'g{v="c"} NaN',
      '',
    ]);
  });

  it('keeps labels in declared order whatever order they are given in', () => {
    const metrics = createMetrics();
    const c = metrics.counter({ name: 'c_total', help: 'C.', labelNames: ['a', 'b'] });
    c.inc({ b: 2, a: 1 });
    c.inc({ a: 1, b: 2 });
    expect(c.get({ a: '1', b: '2' })).toBe(2);
    expect(metrics.render()).toContain('c_total{a="1",b="2"} 2');
  });

  it('histogram buckets are cumulative per series, with sum and count', () => {
    const metrics = createMetrics();
    const h = metrics.histogram({ name: 'h', help: 'H.', labelNames: ['op'], buckets: [1, 2, 3] });
    for (const v of [0.5, 1, 1.5, 2.5, 2.5, 10]) h.observe(v, { op: 'w' });
    h.observe(1, { op: 'r' });
    const lines = metrics.render().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'h_bucket{op="w",le="1"} 2',
        'h_bucket{op="w",le="2"} 3',
        'h_bucket{op="w",le="3"} 5',
        'h_bucket{op="w",le="+Inf"} 6',
        'h_sum{op="w"} 18',
        'h_count{op="w"} 6',
        'h_bucket{op="r",le="1"} 1',
        'h_bucket{op="r",le="+Inf"} 1',
        'h_count{op="r"} 1',
      ]),
    );
    expect(h.get({ op: 'w' })).toEqual({ count: 6, sum: 18 });
  });

  it('returns the existing metric for a repeated registration of the same shape, refuses a conflicting one', () => {
    const metrics = createMetrics();
    const a = metrics.counter({ name: 'x_total', help: 'X.', labelNames: ['k'] });
    const b = metrics.counter({ name: 'x_total', help: 'X.', labelNames: ['k'] });
    expect(b).toBe(a);
    expect(() => metrics.gauge({ name: 'x_total', help: 'X.' })).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    expect(() => metrics.counter({ name: 'x_total', help: 'X.', labelNames: ['other'] })).toThrow(/already registered/);
  });

  it('refuses invalid names, labels, buckets and negative counter increments', () => {
    const metrics = createMetrics();
    const refused = (fn: () => unknown): boolean => {
      try {
        fn();
        return false;
      } catch (error) {
        return isRxSyncError(error, 'E_OPTION_INVALID');
      }
    };
    expect(refused(() => metrics.counter({ name: '9bad', help: '' }))).toBe(true);
    expect(refused(() => metrics.counter({ name: 'ok_total', help: '', labelNames: ['__reserved'] }))).toBe(true);
    expect(refused(() => metrics.histogram({ name: 'h1', help: '', labelNames: ['le'] }))).toBe(true);
    expect(refused(() => metrics.histogram({ name: 'h2', help: '', buckets: [2, 1] }))).toBe(true);
    const c = metrics.counter({ name: 'c_total', help: '' });
    expect(refused(() => c.add(-1))).toBe(true);
    expect(refused(() => c.add(NaN))).toBe(true);
    const labelled = metrics.counter({ name: 'l_total', help: '', labelNames: ['code'] });
    expect(refused(() => labelled.inc({} as { code: string }))).toBe(true);
    expect(c.get()).toBe(0);
  });
});
