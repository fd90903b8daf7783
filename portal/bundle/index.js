// plotly.js with only the trace types the portal draws (scatter comes with the core), so that
// a chart page parses about a quarter of the full bundle. A chart that needs another trace
// type adds it here, then `make plotly-bundle`; tests/test_plotly_bundle.py fails until then.
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/treemap'),
]);

module.exports = Plotly;
