// Stand-in of Odoo 18's module loader (web/static/src/module_loader.js), our own code: what the
// transpiled modules of a bundle rely on.
// - odoo.define(name, deps, factory): a module starts (its factory runs, once) as soon as every
//   dependency has started; a module whose dependency never comes never runs: it is only reported.
// - require(name) inside a factory gives the started dependency's exports.
// - odoo.loader.findErrors(): {missing, failed, unstarted} for the page (Odoo logs the same kinds
//   of errors in the console); a factory that throws is "failed" and stops its dependents.
(function () {
  'use strict';
  const factories = new Map();
  const modules = new Map();
  const failed = new Set();
  function startReady() {
    let progress = true;
    while (progress) {
      progress = false;
      for (const [name, { deps, factory }] of factories) {
        if (modules.has(name) || failed.has(name)) continue;
        if (!deps.every((d) => modules.has(d))) continue;
        try {
          modules.set(name, factory((dep) => modules.get(dep)) ?? {});
        } catch (error) {
          failed.add(name);
          console.error(`The module ${name} failed to start:`, error);
        }
        progress = true;
      }
    }
  }
  window.odoo = window.odoo || {};
  window.odoo.define = function (name, deps, factory) {
    if (factories.has(name)) {
      console.error(`The module ${name} is defined twice`);
      return;
    }
    factories.set(name, { deps, factory });
    startReady();
  };
  window.odoo.loader = {
    modules,
    findErrors() {
      const unstarted = [...factories.keys()].filter((n) => !modules.has(n) && !failed.has(n));
      const missing = [...new Set(unstarted.flatMap((n) => factories.get(n).deps.filter((d) => !factories.has(d))))];
      return { missing, failed: [...failed], unstarted };
    },
  };
})();
