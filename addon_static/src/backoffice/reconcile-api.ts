// The service's reconciliation endpoints (service/src/admin/reconcile-routes.ts) for the back
// office, over the admin API client (its token, its renewal on a 401, its errors).
import type { AdminApi } from './admin-api.ts';
import type { DiscrepancyInfo, DiscrepancyKind, DiscrepancyStatus, RunInfo } from './reconcile-model.ts';

export interface DiscrepancyQuery {
  status?: DiscrepancyStatus | '';
  kind?: DiscrepancyKind | '';
  /** The id of the previous page's last discrepancy. */
  after?: number;
  /** 1 to 1000. */
  limit?: number;
}

export interface DiscrepancyPage {
  run: RunInfo;
  discrepancies: DiscrepancyInfo[];
  /** Pass as `after` for the next page; null on the last one. */
  next_after: number | null;
}

export interface RepairAnswer {
  /** False when the discrepancy was no longer open: nothing was done. */
  attempted: boolean;
  discrepancy: DiscrepancyInfo;
}

export interface ReconcileApi {
  runs(limit?: number): Promise<RunInfo[]>;
  /** Starts a run of [from, to) (YYYY-MM-DD, UTC days), or resumes the unfinished one of that range. */
  start(from: string, to: string): Promise<RunInfo | null>;
  discrepancies(runId: number, query?: DiscrepancyQuery): Promise<DiscrepancyPage>;
  repair(discrepancyId: number): Promise<RepairAnswer>;
  csv(runId: number): Promise<Blob>;
}

const BASE = '/v1/admin/reconcile';

export function createReconcileApi(api: AdminApi): ReconcileApi {
  return {
    async runs(limit = 20) {
      return (await api.call<{ runs: RunInfo[] }>('GET', `${BASE}/runs?limit=${limit}`)).runs;
    },
    async start(from, to) {
      return (await api.call<{ run: RunInfo | null }>('POST', `${BASE}/runs`, { from, to })).run;
    },
    discrepancies(runId, query = {}) {
      const params = new URLSearchParams();
      if (query.status) params.set('status', query.status);
      if (query.kind) params.set('kind', query.kind);
      if (query.after) params.set('after', String(query.after));
      if (query.limit) params.set('limit', String(query.limit));
      const search = params.toString();
      return api.call<DiscrepancyPage>('GET', `${BASE}/runs/${runId}/discrepancies${search ? `?${search}` : ''}`);
    },
    repair: (discrepancyId) => api.call<RepairAnswer>('POST', `${BASE}/discrepancies/${discrepancyId}/repair`, {}),
    csv: (runId) => api.download(`${BASE}/runs/${runId}/csv`),
  };
}
