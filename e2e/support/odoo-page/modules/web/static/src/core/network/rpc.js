// Stand-in of Odoo 18's rpc (web/static/src/core/network/rpc.js), our own code: a JSON-RPC 2.0
// "call" POSTed to the route; Odoo's error envelope becomes an RPCError (exceptionName, data);
// no answer, or an answer that is not JSON, a ConnectionLostError.
export class RPCError extends Error {
    constructor(message) {
        super(message);
        this.name = "RPC_ERROR";
        this.type = "server";
        this.code = null;
        this.data = null;
        this.exceptionName = null;
        this.subType = null;
    }
}

export class ConnectionLostError extends Error {
    constructor(url) {
        super(`Connection to "${url}" couldn't be established or was interrupted`);
        this.url = url;
    }
}

let rpcId = 0;

export async function rpc(url, params = {}) {
    let answer;
    try {
        const response = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ id: rpcId++, jsonrpc: "2.0", method: "call", params }),
        });
        answer = await response.json();
    } catch {
        throw new ConnectionLostError(url);
    }
    if (answer.error) {
        const error = new RPCError(answer.error.message);
        error.code = answer.error.code;
        error.data = answer.error.data;
        error.exceptionName = answer.error.data?.name ?? null;
        throw error;
    }
    return answer.result;
}
