// The GraphiQL page served at GET /graphql (Accept: text/html). Everything it
// loads comes from the gateway: the bundle, the styles, the fonts and Monaco's
// workers. Queries and mutations go over HTTP to the same endpoint, and
// subscriptions over graphql-ws on the same URL.
import 'graphiql/style.css';
import './graphiql.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { readPageConfig } from './page-config.ts';
import { createPlaygroundFetcher } from './fetcher.ts';
import { installMonacoWorkers } from './monaco-workers.ts';
import { exampleTabs } from './examples.ts';
import { formatHeaders } from './headers.ts';

const config = readPageConfig();
installMonacoWorkers(config.workers);

const fetcher = createPlaygroundFetcher(config);

const headers = formatHeaders(config.defaultHeaders);
const container = document.getElementById('graphiql');
if (!container) throw new Error('the page has no #graphiql element');

createRoot(container).render(
  createElement(
    GraphiQL,
    {
      fetcher,
      defaultHeaders: headers,
      defaultTabs: exampleTabs(headers),
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
    },
    createElement(
      GraphiQL.Footer,
      null,
      createElement(
        'div',
        { className: 'playground-footer' },
        'GraphiQL cannot send files: ',
        createElement('a', { href: config.uploadPath }, 'upload a file into a dataset'),
        ` · mode: ${config.mode}`,
      ),
    ),
  ),
);
