// The first paint (portal/first_paint.py) stays until React has drawn the page in the hidden
// entry point, then the two swap in one frame: the copy's paint stays the page's largest, and
// nothing shifts. React's page is drawn when the page callback has filled _pages_content.
(function () {
    "use strict";
    var copy = document.getElementById("portal-first-paint");
    var entry = document.getElementById("react-entry-point");
    if (!copy || !entry) {
        return;
    }
    var observer, timer;

    function swap() {
        observer.disconnect();
        window.clearTimeout(timer);
        copy.remove();
        entry.classList.remove("portal-pending");
    }

    observer = new MutationObserver(function () {
        var content = document.getElementById("_pages_content");
        if (content && content.firstElementChild) {
            swap();
        }
    });
    observer.observe(entry, {childList: true, subtree: true});
    // Never keep the application hidden for good, whatever went wrong in between.
    timer = window.setTimeout(swap, 20000);
})();
