/** Schema migrations, applied in order; PRAGMA user_version records how many ran. Append only. */
import { CATALOG_MIGRATION } from './sqlite-catalog.js';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE connections (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE credentials (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE mcis (ns TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (ns, name));
   CREATE TABLE vms (
     ns TEXT NOT NULL, mcis TEXT NOT NULL, name TEXT NOT NULL, connection TEXT NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (ns, mcis, name)
   );
   CREATE INDEX vms_connection ON vms(connection);
   CREATE TABLE resources (connection TEXT NOT NULL, kind TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (connection, kind));
   CREATE TABLE locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL);`,
  // 2: spec/image catalog with sources, measured latency matrix, benchmark results.
  CATALOG_MIGRATION,
  // 3: Kubernetes clusters (cbadm k8s), one JSON document each.
  `CREATE TABLE k8s_clusters (ns TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (ns, name));`,
];
