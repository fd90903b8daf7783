// Charts are drawn when they scroll into view. A chart card holds an empty slot
// (portal/components/chart.py); when half of one is in the viewport, plotly.js (the
// portal's partial bundle, named in the slot's data-plotly) starts loading, once, and the
// chart's "seen" store is set, which fetches its figure; a clientside callback then puts a
// dcc.Graph in the slot, which finds window.Plotly and draws. A page whose charts are all
// below the fold never loads plotly.js until the reader scrolls.
(function () {
    "use strict";
    var loading = null;
    window.portal = window.portal || {};

    function loadPlotly(src) {
        if (window.Plotly) {
            return Promise.resolve();
        }
        if (!loading) {
            loading = new Promise(function (resolve, reject) {
                var script = document.createElement("script");
                script.src = src;
                script.async = true;
                script.onload = resolve;
                script.onerror = function () {
                    loading = null;
                    reject(new Error("plotly.js did not load from " + src));
                };
                document.head.appendChild(script);
            });
        }
        return loading;
    }

    // The figure is asked for at once, while plotly.js loads: the chart's draw callback
    // waits for both (window.portal.plotly).
    function show(slot) {
        window.portal.plotly = loadPlotly(slot.dataset.plotly);
        window.dash_clientside.set_props(JSON.parse(slot.dataset.seen), {data: true});
    }

    // Half in view (or, for a chart taller than the screen, half the screen filled by it).
    var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
            var seen = entry.intersectionRect.height;
            if (entry.isIntersecting && (entry.intersectionRatio >= 0.5
                    || seen >= 0.5 * (entry.rootBounds ? entry.rootBounds.height : 0))) {
                observer.unobserve(entry.target);
                show(entry.target);
            }
        });
    }, {threshold: [0, 0.25, 0.5, 0.75, 1]}) : null;

    function watch() {
        // Within React's page only: the first paint's static copy has slots too.
        var slots = document.querySelectorAll("#main-content .portal-graph-slot:not([data-watched])");
        slots.forEach(function (slot) {
            slot.setAttribute("data-watched", "");
            if (observer) {
                observer.observe(slot);
            } else {
                show(slot);
            }
        });
    }

    // Dash renders pages after this script has run, and again on each navigation.
    var scheduled = false;
    new MutationObserver(function () {
        if (!scheduled) {
            scheduled = true;
            window.requestAnimationFrame(function () {
                scheduled = false;
                watch();
            });
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
