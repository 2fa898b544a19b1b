// The stand-in of PayPal's JS SDK that runs in the browser (see js-sdk.ts for what it models).
// Served as `(<this function>)(<config>)`; plain browser JavaScript, no build step.
function installPayPalSdkStandIn(config) {
  'use strict';
  const script = document.currentScript;
  const namespace = (script && script.getAttribute('data-namespace')) || 'paypal';
  const simOrigin = script ? new URL(script.src).origin : window.location.origin;
  const log = (window.__paypalSimLog = window.__paypalSimLog || []);
  const record = (entry) => log.push({ at: Date.now(), namespace, ...entry });

  const FUNDING = { PAYPAL: 'paypal', VENMO: 'venmo', PAYLATER: 'paylater', CARD: 'card', CREDIT: 'credit' };
  const LABELS = { paypal: 'PayPal', venmo: 'Venmo', paylater: 'Pay Later', card: 'Debit or Credit Card', credit: 'PayPal Credit' };
  const isEligible = (source) => config.eligible[source] === true;

  async function sim(method, path, body) {
    const response = await fetch(`${simOrigin}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`PayPal simulator: ${method} ${path} answered ${response.status}: ${answer.error || ''}`);
    return answer;
  }

  function Buttons(options) {
    options = options || {};
    const fundingSource = options.fundingSource || FUNDING.PAYPAL;
    if (!config.components.includes('buttons')) throw new Error('Buttons is not available: load the SDK with components=buttons');
    let enabled = true;
    let element = null;

    const initActions = {
      enable() {
        enabled = true;
        if (element) element.querySelector('button').setAttribute('aria-disabled', 'false');
        return Promise.resolve();
      },
      disable() {
        enabled = false;
        if (element) element.querySelector('button').setAttribute('aria-disabled', 'true');
        return Promise.resolve();
      },
    };

    const fail = (error) => {
      record({ type: 'onError', fundingSource, message: String(error && error.message) });
      if (options.onError) options.onError(error);
      else console.error(error);
    };

    // The buyer approves at PayPal, then PayPal's window hands the approval to onApprove.
    async function approve(orderID, approval) {
      await sim('POST', `/__sim/orders/${encodeURIComponent(orderID)}/approve`, approval);
      const order = await sim('GET', `/__sim/sdk/orders/${encodeURIComponent(orderID)}`);
      record({ type: 'approved', fundingSource, orderID });
      return { orderID, payerID: order.payer_id, paymentSource: fundingSource };
    }

    async function notifyApproval(data, buyer) {
      const actions = {
        restart() {
          // The buyer picks another funding source in PayPal's window and approves again.
          record({ type: 'restart', fundingSource, orderID: data.orderID });
          setTimeout(() => {
            approve(data.orderID, {})
              .then((again) => notifyApproval(again, 'approve'))
              .catch(fail);
          }, 0);
          return Promise.resolve();
        },
        redirect(url) {
          window.location.assign(url);
        },
      };
      record({ type: 'onApprove', fundingSource, orderID: data.orderID, buyer });
      try {
        await options.onApprove(data, actions);
      } catch (error) {
        fail(error);
      }
    }

    async function onButtonClick() {
      record({ type: 'click', fundingSource, enabled });
      let verdict = true;
      if (options.onClick) {
        const clickActions = { resolve: () => Promise.resolve(true), reject: () => Promise.resolve(false) };
        verdict = await options.onClick({ fundingSource }, clickActions);
      }
      if (!enabled || verdict === false) {
        record({ type: 'click-refused', fundingSource });
        return;
      }
      const settings = await sim('GET', '/__sim/sdk/settings');
      let orderID;
      try {
        orderID = await options.createOrder({ paymentSource: fundingSource }, {
          order: { create: () => Promise.reject(new Error('The stand-in SDK does not create orders from the browser.')) },
        });
      } catch (error) {
        fail(error);
        return;
      }
      if (typeof orderID !== 'string' || orderID === '') {
        fail(new Error(`Expected an order id to be passed to createOrder's promise, got ${String(orderID)}`));
        return;
      }
      record({ type: 'created', fundingSource, orderID });
      try {
        const order = await sim('GET', `/__sim/sdk/orders/${encodeURIComponent(orderID)}`);
        // PayPal checks that the order matches the script's parameters.
        if (order.intent.toLowerCase() !== config.intent) {
          throw new Error(`Expected intent from order api call to be ${config.intent}, got ${order.intent.toLowerCase()}. Please ensure you are passing intent=${order.intent.toLowerCase()} to the sdk url.`);
        }
        if (order.currency !== config.currency) {
          throw new Error(`Unexpected currency: ${order.currency} passed to order.create. Please ensure you are passing /sdk/js?currency=${order.currency} in the paypal script tag.`);
        }
        switch (settings.buyer) {
          case 'cancel':
            record({ type: 'onCancel', fundingSource, orderID });
            if (options.onCancel) options.onCancel({ orderID }, { redirect: () => undefined });
            return;
          case 'approve-then-close':
            await approve(orderID, {});
            record({ type: 'closed-after-approval', fundingSource, orderID });
            return;
          case 'decline-then-approve':
            await notifyApproval(await approve(orderID, { instrumentDeclined: true }), settings.buyer);
            return;
          case 'patch-amount':
            await sim('POST', `/__sim/sdk/orders/${encodeURIComponent(orderID)}/patch-amount`, { value: settings.patchAmount });
            record({ type: 'patched', fundingSource, orderID, amount: settings.patchAmount });
            await notifyApproval(await approve(orderID, {}), settings.buyer);
            return;
          default:
            await notifyApproval(await approve(orderID, {}), settings.buyer);
        }
      } catch (error) {
        fail(error);
      }
    }

    return {
      isEligible: () => isEligible(fundingSource),
      render(container) {
        const target = typeof container === 'string' ? document.querySelector(container) : container;
        if (!target) return Promise.reject(new Error(`Document is ready and element ${String(container)} does not exist`));
        if (!isEligible(fundingSource)) return Promise.reject(new Error(`Funding source ${fundingSource} is not eligible`));
        element = document.createElement('div');
        element.className = `paypal-buttons paypal-buttons-context-iframe paypal-buttons-label-${fundingSource}`;
        element.dataset.fundingSource = fundingSource;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'paypal-sim-button';
        button.textContent = LABELS[fundingSource] || fundingSource;
        button.setAttribute('aria-disabled', 'false');
        button.addEventListener('click', () => {
          onButtonClick().catch(fail);
        });
        element.append(button);
        target.append(element);
        record({ type: 'render', fundingSource });
        if (options.onInit) setTimeout(() => options.onInit({}, initActions), 0);
        return Promise.resolve();
      },
      close() {
        if (element) element.remove();
        element = null;
        return Promise.resolve();
      },
      updateProps(props) {
        Object.assign(options, props);
        return Promise.resolve();
      },
      resume() {},
      hasReturned: () => false,
    };
  }

  // PayPal's buttons bring their own look (inside an iframe); so do these, in the page.
  if (!document.querySelector('style[data-paypal-sim]')) {
    const style = document.createElement('style');
    style.dataset.paypalSim = '';
    style.textContent = [
      '.paypal-buttons { margin: 0; }',
      '.paypal-sim-button { width: 100%; min-width: 200px; height: 44px; border: 0; border-radius: 4px; background: #ffc439; color: #111;',
      '  font: 600 15px/44px Helvetica, Arial, sans-serif; cursor: pointer; }',
      '.paypal-buttons-label-venmo .paypal-sim-button { background: #008cff; color: #fff; }',
      '.paypal-buttons-label-card .paypal-sim-button { background: #2c2e2f; color: #fff; }',
      '.paypal-sim-button[aria-disabled="true"] { cursor: not-allowed; }',
    ].join('\n');
    document.head.append(style);
  }

  window[namespace] = {
    version: '5.0.0-bridge-sim',
    FUNDING,
    Buttons,
    getFundingSources: () => Object.values(FUNDING),
    isFundingEligible: isEligible,
    rememberFunding() {},
  };
  record({ type: 'loaded', currency: config.currency, intent: config.intent, eligible: config.eligible });
}
