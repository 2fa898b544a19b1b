// Stand-in of Odoo 18's asset loader (web/static/src/core/assets.js), our own code: loadJS(url)
// adds one <script> per URL (once; a failed load rejects and is forgotten so that it can be tried
// again), loadBundle(name) loads a lazy bundle's files. The one lazy bundle the page knows is
// web.chartjs_lib, which Odoo 18 declares in web/__manifest__.py as Chart.js 4.4.1's UMD build
// (plus a luxon date adapter the back office does not use): it defines the global `Chart`.
const BUNDLES = {
    "web.chartjs_lib": ["/web/static/lib/Chart/Chart.js"],
};

const loaded = new Map();

export function loadJS(url) {
    if (!loaded.has(url)) {
        const promise = new Promise((resolve, reject) => {
            const script = document.createElement("script");
            script.src = url;
            script.onload = () => resolve();
            script.onerror = () => {
                loaded.delete(url);
                reject(new Error(`The loading of ${url} failed`));
            };
            document.head.appendChild(script);
        });
        loaded.set(url, promise);
    }
    return loaded.get(url);
}

export async function loadBundle(bundleName) {
    if (typeof bundleName !== "string") {
        throw new Error(`loadBundle(bundleName:string) accepts only bundleName argument as a string ! Not ${JSON.stringify(bundleName)}`);
    }
    const files = BUNDLES[bundleName];
    if (!files) {
        throw new Error(`The page knows no bundle ${bundleName}`);
    }
    window.__loadedBundles = [...(window.__loadedBundles || []), bundleName];
    await Promise.all(files.map(loadJS));
}
