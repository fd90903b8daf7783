// Dash's scripts, loaded once the page's static copy has been painted (portal/scripts.py):
// their tags wait in the page's inert <template>; they run in its order (async = false), and
// the last one to load starts Dash's renderer (window.portal.start, the page's renderer script).
(function () {
    "use strict";
    var listed = document.getElementById("portal-scripts").content.querySelectorAll("script");
    var sources = Array.prototype.map.call(listed, function (tag) {
        return tag.getAttribute("src");
    });
    var started = false;

    function load() {
        if (started) {
            return;
        }
        started = true;
        sources.forEach(function (src, index) {
            var script = document.createElement("script");
            script.src = src;
            script.async = false;
            if (index === sources.length - 1) {
                script.onload = function () {
                    window.portal.start();
                };
            }
            document.body.appendChild(script);
        });
    }

    // requestAnimationFrame runs just before the next frame is painted, the timeout just
    // after it. A tab opened in the background paints no frame: load at once there.
    if (document.visibilityState === "hidden") {
        load();
    } else {
        window.requestAnimationFrame(function () {
            window.setTimeout(load, 0);
        });
    }
})();
