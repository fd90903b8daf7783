// The one component of the portal's own (portal/components/static.py): HTML rendered on the
// server, every text escaped there, shown as it is. One React element instead of hundreds of
// Dash components for the parts of a page that never change in the browser.
window.portal_components = Object.assign(window.portal_components || {}, {
    StaticHtml: function StaticHtml(props) {
        return window.React.createElement("div", {
            id: props.id,
            className: props.className,
            dangerouslySetInnerHTML: {__html: props.html},
        });
    },
});
