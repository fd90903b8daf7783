// Keep a view's state in the address bar (history.replaceState: no reload, no re-render), so
// that a link shares it. Used by the chart filters, the catalogue search and the preview pager.
window.portal = Object.assign(window.portal || {}, {
    setQuery: function (keys, values) {
        const params = new URLSearchParams(window.location.search);
        keys.forEach(key => params.delete(key));
        Object.entries(values || {}).forEach(([key, value]) => params.set(key, value));
        const search = params.toString();
        window.history.replaceState(window.history.state, "",
            window.location.pathname + (search ? "?" + search : ""));
    }
});
