/**
 * The metrics store's schema. One row per VM per sample (all its values in one blob) keeps writes
 * at 100 VMs × 1 Hz to 100 small inserts a second and the file small; a layout table says which
 * value is which, so a VM that gains a disk gets a new layout, not a schema change.
 */
export const METRICS_MIGRATIONS: string[] = [
  `
  CREATE TABLE vms (
    id INTEGER PRIMARY KEY,
    ns TEXT NOT NULL, mcis TEXT NOT NULL, vm TEXT NOT NULL,
    subgroup TEXT NOT NULL, csp TEXT NOT NULL, region TEXT NOT NULL,
    UNIQUE (ns, mcis, vm)
  );
  CREATE TABLE layouts (id INTEGER PRIMARY KEY, cols TEXT NOT NULL UNIQUE);
  -- ts: epoch ms; vals: float64 little-endian, one per layout column.
  CREATE TABLE samples (
    vm_id INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL,
    layout_id INTEGER NOT NULL, vals BLOB NOT NULL,
    PRIMARY KEY (vm_id, ts)
  ) WITHOUT ROWID;
  -- One row per VM-minute; vals: (min, max, sum, last) per layout column; n: samples in the minute.
  CREATE TABLE rollups (
    vm_id INTEGER NOT NULL, ts INTEGER NOT NULL, layout_id INTEGER NOT NULL,
    n INTEGER NOT NULL, vals BLOB NOT NULL,
    PRIMARY KEY (vm_id, ts)
  ) WITHOUT ROWID;
  CREATE TABLE agents (
    ns TEXT NOT NULL, mcis TEXT NOT NULL, vm TEXT NOT NULL,
    mode TEXT NOT NULL, interval_s INTEGER NOT NULL, ring_s INTEGER NOT NULL,
    version TEXT NOT NULL, push_url TEXT, installed_at TEXT NOT NULL,
    epoch TEXT, last_seq INTEGER NOT NULL DEFAULT 0, last_ts INTEGER, lost INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ns, mcis, vm)
  );
  CREATE TABLE push_tokens (
    token TEXT PRIMARY KEY, ns TEXT NOT NULL, mcis TEXT NOT NULL, created_at TEXT NOT NULL,
    UNIQUE (ns, mcis)
  );
  CREATE TABLE alerts (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE alert_state (
    alert TEXT NOT NULL, series TEXT NOT NULL, firing INTEGER NOT NULL,
    since INTEGER, value REAL, updated INTEGER NOT NULL,
    PRIMARY KEY (alert, series)
  );
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // Push tokens belong to one VM: a VM's token cannot write another VM. MCIS-wide tokens are
  // dropped (their agents get 401 until reinstalled). vm_layouts bounds the layouts a VM may make.
  `
  DROP TABLE push_tokens;
  CREATE TABLE push_tokens (
    token TEXT PRIMARY KEY, ns TEXT NOT NULL, mcis TEXT NOT NULL, vm TEXT NOT NULL,
    created_at TEXT NOT NULL, UNIQUE (ns, mcis, vm)
  );
  CREATE TABLE vm_layouts (vm_id INTEGER NOT NULL, layout_id INTEGER NOT NULL, PRIMARY KEY (vm_id, layout_id)) WITHOUT ROWID;
  INSERT OR IGNORE INTO vm_layouts SELECT DISTINCT vm_id, layout_id FROM samples;
  `,
];
