// Odoo's exceptions as the simulator raises them, and the JSON-RPC error envelope Odoo 18 sends
// for them (odoo/http.py `serialize_exception` + JsonRPCDispatcher.handle_error):
//   {jsonrpc: "2.0", id, error: {code: 200, message: "Odoo Server Error",
//                                data: {name, debug, message, arguments, context: {}}}}

export const ACCESS_ERROR = 'odoo.exceptions.AccessError';
export const ACCESS_DENIED = 'odoo.exceptions.AccessDenied';
export const MISSING_ERROR = 'odoo.exceptions.MissingError';
export const VALIDATION_ERROR = 'odoo.exceptions.ValidationError';
export const USER_ERROR = 'odoo.exceptions.UserError';
export const SERIALIZATION_FAILURE = 'psycopg2.errors.SerializationFailure';
export const LOCK_NOT_AVAILABLE = 'psycopg2.errors.LockNotAvailable';

/** An exception raised inside the simulated Odoo: answered in Odoo's error envelope. */
export class OdooFault extends Error {
  readonly odooName: string;
  constructor(odooName: string, message: string) {
    super(message);
    this.name = 'OdooFault';
    this.odooName = odooName;
  }
}

export const accessError = (message: string) => new OdooFault(ACCESS_ERROR, message);
export const missingError = (message: string) => new OdooFault(MISSING_ERROR, message);
export const validationError = (message: string) => new OdooFault(VALIDATION_ERROR, message);
export const userError = (message: string) => new OdooFault(USER_ERROR, message);

/** The messages Odoo's own code uses, word for word. */
export const messages = {
  privateMethod: (model: string, method: string) => `Private methods (such as '${model}.${method}') cannot be called remotely.`,
  noSuchMethod: (model: string, method: string) => `The method '${model}.${method}' does not exist`,
  noSuchModel: (model: string) => `Object ${model} doesn't exist`,
  accessDenied: 'Access Denied',
  serialization: 'could not serialize access due to concurrent update',
  lockNotAvailable: 'could not obtain lock on row in relation "payment_transaction"',
};

/** Short names accepted by `sim.failNext()`, mapped to what Odoo would answer. */
export const FAULT_PRESETS: Record<string, { name: string; message: string }> = {
  SerializationFailure: { name: SERIALIZATION_FAILURE, message: messages.serialization },
  LockNotAvailable: { name: LOCK_NOT_AVAILABLE, message: messages.lockNotAvailable },
  AccessError: { name: ACCESS_ERROR, message: 'Simulated access error.' },
  MissingError: { name: MISSING_ERROR, message: 'Record does not exist or has been deleted.' },
  ValidationError: { name: VALIDATION_ERROR, message: 'Simulated validation error.' },
  UserError: { name: USER_ERROR, message: 'Simulated user error.' },
  KeyError: { name: 'builtins.KeyError', message: "'simulated'" },
};

export interface OdooErrorEnvelope {
  jsonrpc: '2.0';
  id: unknown;
  error: {
    code: number;
    message: string;
    data: { name: string; debug: string; message: string; arguments: unknown[]; context: Record<string, unknown> };
  };
}

export function errorEnvelope(id: unknown, name: string, message: string): OdooErrorEnvelope {
  const className = name.slice(name.lastIndexOf('.') + 1);
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: 200,
      message: 'Odoo Server Error',
      data: {
        name,
        // A traceback's shape, ending like Odoo's with "<module.Class>: <message>".
        debug: `Traceback (most recent call last):\n  File "odoo-sim", line 1, in <module>\n${name.startsWith('builtins.') ? className : name}: ${message}\n`,
        message,
        arguments: [message],
        context: {},
      },
    },
  };
}
