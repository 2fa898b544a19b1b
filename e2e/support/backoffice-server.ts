// A stand-in of the Odoo 18 web client pages the back office runs in, serving the BUILT
// back-office asset the way Odoo serves it, on top of the Odoo simulator (service/sim/odoo).
// What it models:
// - GET /odoo/paypal: the web client showing the client action paypal_bridge.backoffice;
//   GET /odoo/payment.transaction/<id>: a transaction form showing the view widget
//   paypal_bridge_panel (see odoo-page/modules/web/static/src/start.js for what of the form is
//   modelled). The session info (odoo.__session_info__: uid, user_context, groups) is the logged-in
//   user's, as Odoo renders it into the page;
// - web.assets_backend: real OWL (@odoo/owl's IIFE build, as web/static/lib/owl/odoo_module.js
//   exposes it), the stand-in modules under odoo-page/modules (each documents what it models) and
//   our built odoo_addon/paypal_bridge/static/src/backoffice/index.js (after the post-build
//   check), every file through odoo-transpile.ts, joined like Odoo's bundle;
// - the lazy bundle web.chartjs_lib: Chart.js 4.4.1's UMD build (the version Odoo 18 ships);
// - POST /web/dataset/call_kw/<model>/<method> (JSON-RPC, what the orm service sends): run by
//   the Odoo simulator as the logged-in user (its access rights, domains, errors), context left
//   out as Odoo's call_kw takes it; except payment.provider.paypal_bridge_admin_session, which
//   the simulator does not have and which is answered here as models/paypal_backoffice.py does
//   (PayPal managers only; an `admin` pbt1 token signed with the bridge secret, 10 minutes, all
//   six scopes; the provider's public URL). Tests can make the next session's token forged (the
//   service will answer 401) or short-lived.
// Not modelled: logins and cookies (one user: the simulator's administrator), CSRF, menus, the rest of
// the web client (other actions, breadcrumbs), translations, Odoo's CSS.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOdooAssetSource, formatProblems } from '../../scripts/check-odoo-assets.ts';
import { MANAGER_GROUP } from '../../service/sim/odoo/records.ts';
import type { OdooSim } from '../../service/sim/odoo/server.ts';
import { issueToken } from '../../service/src/auth/bridge-token.ts';
import { odooBundle } from './odoo-transpile.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const MODULES_DIR = path.join(here, 'odoo-page', 'modules');
export const BUILT_BACKOFFICE_ASSET = path.join(root, 'odoo_addon', 'paypal_bridge', 'static', 'src', 'backoffice', 'index.js');
const OWL_IIFE = path.join(root, 'node_modules', '@odoo', 'owl', 'dist', 'owl.iife.js');
const CHART_JS = path.join(root, 'node_modules', 'chart.js', 'dist', 'chart.umd.js');

/** The stand-in modules of web.assets_backend that the back office needs. */
const STAND_IN_FILES = [
  'web/static/src/core/l10n/translation.js',
  'web/static/src/core/templates.js',
  'web/static/src/core/network/rpc.js',
  'web/static/src/core/registry.js',
  'web/static/src/core/utils/hooks.js',
  'web/static/src/core/user.js',
  'web/static/src/core/assets.js',
  'web/static/src/core/confirmation_dialog/confirmation_dialog.js',
  'web/static/src/core/orm_service.js',
  'web/static/src/core/notifications/notification_service.js',
  'web/static/src/core/dialog/dialog_service.js',
  'web/static/src/webclient/actions/action_service.js',
  'web/static/src/start.js',
];

export const ADMIN_SCOPES = ['read', 'sync', 'capture', 'void', 'refund', 'replay'];
const ADMIN_TOKEN_SECONDS = 600;

export interface NextSession {
  /** Sign the token with another secret: the service refuses it (401). */
  forged?: boolean;
  /** Seconds until the token expires (default 600, as Odoo issues it). */
  expiresIn?: number;
}

export interface CallRecord {
  model: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export interface BackofficeServer {
  readonly url: string;
  /** The service's public URL (the provider's Public Service URL), once the service runs. */
  setServiceUrl(url: string): void;
  actionUrl(): string;
  formUrl(transactionId: number): string;
  /** How the next admin session(s) are issued (each entry is used once). */
  queueSessions(...sessions: NextSession[]): void;
  /** The admin sessions issued so far: their tokens, in order. */
  readonly sessions: { token: string; expiresAt: number }[];
  /** Every call_kw the pages made, in order. */
  readonly calls: CallRecord[];
  close(): Promise<void>;
}

export interface BackofficeOptions {
  odoo: OdooSim;
  bridgeSecret: string;
  /** Default: the real build output. */
  asset?: string;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #222; font-size: 14px; }
.o_action_manager { height: 100vh; }
.d-none { display: none !important; } .d-flex { display: flex; } .flex-column { flex-direction: column; } .flex-grow-1 { flex-grow: 1; }
.gap-2 { gap: 8px; } .gap-3 { gap: 12px; } .h-100 { height: 100%; } .overflow-auto { overflow: auto; }
.o_dialog_container .modal { position: fixed; inset: 0; background: rgba(0, 0, 0, .3); z-index: 1050; }
.modal-dialog { background: #fff; margin: 15vh auto; max-width: 520px; padding: 12px 16px; border-radius: 6px; }
.o_notification_manager { position: fixed; top: 8px; right: 8px; width: 360px; z-index: 1100; }
.o_notification { background: #fff; border: 1px solid #ccc; padding: 8px; }
table { border-collapse: collapse; } td, th { padding: 2px 6px; text-align: left; }
.table-active { background: #e9ecef; } .alert { padding: 8px; border: 1px solid #ccc; }
`;

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export async function startBackofficeServer(options: BackofficeOptions): Promise<BackofficeServer> {
  const { odoo } = options;
  let serviceUrl = '';
  // The logged-in user: the administrator, a PayPal manager.
  const current = { uid: odoo.admin.uid, password: odoo.admin.password };
  const queued: NextSession[] = [];
  const sessions: BackofficeServer['sessions'] = [];
  const calls: CallRecord[] = [];

  function bundle(): string {
    const assetPath = options.asset ?? BUILT_BACKOFFICE_ASSET;
    if (!fs.existsSync(assetPath)) throw new Error(`${assetPath} is missing: run npm run build first`);
    const asset = fs.readFileSync(assetPath, 'utf8');
    const problems = checkOdooAssetSource(asset, assetPath);
    if (problems.length > 0) throw new Error(`the built back-office asset fails the post-build check:\n${formatProblems(problems)}`);
    const files = [
      ...STAND_IN_FILES.map((f) => ({ url: `/${f}`, source: fs.readFileSync(path.join(MODULES_DIR, f), 'utf8') })),
      { url: '/paypal_bridge/static/src/backoffice/index.js', source: asset },
    ];
    return `odoo.define("@odoo/owl", [], function () { return owl; });\n${odooBundle(files)}`;
  }

  function sessionInfo(): Record<string, unknown> {
    const user = odoo.database.user(current.uid);
    if (!user) throw new Error(`no simulator user ${current.uid}`);
    return { uid: user.id, name: user.name, db: odoo.db, user_context: { lang: 'en_US', tz: 'UTC' }, groups: [...user.groups] };
  }

  function page(body: Record<string, string>): string {
    const data = Object.entries(body)
      .map(([k, v]) => `data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeAttr(v)}"`)
      .join(' ');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal - Odoo</title>
<style>${STYLE}</style>
<script>window.odoo = { __session_info__: ${JSON.stringify(sessionInfo()).replace(/</g, '\\u003c')} };</script>
<script src="/web/static/lib/owl/owl.js"></script>
<script src="/web/module_loader.js"></script>
<script src="/web/assets/backend.js"></script>
</head><body class="o_web_client" ${data}>
<div class="o_action_manager"></div>
<script>
window.__pageId = Math.random().toString(36).slice(2);
document.addEventListener("DOMContentLoaded", function () {
  var errors = odoo.loader.findErrors();
  if (errors.missing.length || errors.failed.length || errors.unstarted.length) {
    document.body.dataset.moduleErrors = JSON.stringify(errors);
    console.error("Odoo modules not started: " + JSON.stringify(errors));
  }
  odoo.loader.modules.get("@web/start").startWebClient().then(
    function () { document.body.dataset.started = "1"; },
    function (error) { document.body.dataset.startError = String(error); console.error(error); }
  );
});
</script>
</body></html>`;
  }

  /** models/paypal_backoffice.py: payment.provider.paypal_bridge_admin_session(). */
  function adminSession(): unknown {
    const user = odoo.database.user(current.uid);
    if (!user?.groups.has(MANAGER_GROUP)) throw new RouteFault('odoo.exceptions.AccessError', 'Only PayPal managers can use the PayPal Bridge back office.');
    const provider = odoo.database.paypalProvider();
    if (!provider.paypal_bridge_enabled) throw new RouteFault('odoo.exceptions.UserError', 'PayPal Bridge is not enabled for YourCompany: Invoicing → Configuration → Payment Providers → PayPal, tab PayPal Bridge.');
    if (!serviceUrl) throw new RouteFault('odoo.exceptions.UserError', 'PayPal Bridge: set the Service URL on the provider PayPal.');
    const next = queued.shift() ?? {};
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + (next.expiresIn ?? ADMIN_TOKEN_SECONDS);
    const secret = next.forged ? 'not-the-bridge-secret-not-the-bridge-secret-0' : options.bridgeSecret;
    const token = issueToken(secret, { typ: 'admin', sub: user.id, db: odoo.db, scp: ADMIN_SCOPES, iat, exp });
    sessions.push({ token, expiresAt: exp });
    return { token, service_url: serviceUrl, expires_at: exp, scopes: ADMIN_SCOPES };
  }

  async function callKw(model: string, method: string, params: Record<string, unknown>): Promise<unknown> {
    const args = Array.isArray(params['args']) ? params['args'] : [];
    const kwargs = { ...((params['kwargs'] as Record<string, unknown> | undefined) ?? {}) };
    calls.push({ model, method, args, kwargs });
    if (model === 'payment.provider' && method === 'paypal_bridge_admin_session') return { result: adminSession() };
    delete kwargs['context'];
    const response = await fetch(`${odoo.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: { service: 'object', method: 'execute_kw', args: [odoo.db, current.uid, current.password, model, method, args, kwargs] } }),
    });
    const answer = (await response.json()) as { result?: unknown; error?: unknown };
    return answer.error ? { error: answer.error } : { result: answer.result ?? false };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://odoo.invalid');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const html = (body: Record<string, string>) => send(200, 'text/html; charset=utf-8', page(body));
    try {
      if (req.method === 'GET') {
        if (url.pathname === '/odoo/paypal') return html({ page: 'action', actionTag: 'paypal_bridge.backoffice' });
        const form = /^\/odoo\/payment\.transaction\/(\d+)$/.exec(url.pathname);
        if (form) return html({ page: 'form', widget: 'paypal_bridge_panel', resId: form[1] as string });
        if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
        if (url.pathname === '/web/static/lib/owl/owl.js') return send(200, 'application/javascript', fs.readFileSync(OWL_IIFE, 'utf8'));
        if (url.pathname === '/web/module_loader.js') return send(200, 'application/javascript', fs.readFileSync(path.join(here, 'odoo-page', 'module-loader.js'), 'utf8'));
        if (url.pathname === '/web/assets/backend.js') return send(200, 'application/javascript', bundle());
        if (url.pathname === '/web/static/lib/Chart/Chart.js') return send(200, 'application/javascript', fs.readFileSync(CHART_JS, 'utf8'));
      }
      const route = /^\/web\/dataset\/call_kw\/([\w.]+)\/(\w+)$/.exec(url.pathname);
      if (req.method === 'POST' && route) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let id: unknown = null;
          void (async () => {
            try {
              const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; params?: Record<string, unknown> };
              id = call.id ?? null;
              const answer = await callKw(route[1] as string, route[2] as string, call.params ?? {});
              send(200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id, ...(answer as object) }));
            } catch (err) {
              const fault = err instanceof RouteFault ? err : new RouteFault('builtins.Exception', String(err));
              send(200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id, error: { code: 200, message: 'Odoo Server Error', data: { name: fault.odooName, message: fault.message, arguments: [fault.message], context: {} } } }));
            }
          })();
        });
        return undefined;
      }
      return send(404, 'text/plain', 'not found');
    } catch (err) {
      return send(500, 'text/plain', String((err as Error).stack ?? err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    sessions,
    calls,
    setServiceUrl(url) {
      serviceUrl = url.replace(/\/+$/, '');
    },
    actionUrl: () => `${base}/odoo/paypal`,
    formUrl: (id) => `${base}/odoo/payment.transaction/${id}`,
    queueSessions(...next) {
      queued.push(...next);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class RouteFault extends Error {
  readonly odooName: string;

  constructor(odooName: string, message: string) {
    super(message);
    this.odooName = odooName;
  }
}
