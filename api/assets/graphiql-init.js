// Starts GraphiQL against this server's /graphql endpoint. Kept out of the HTML so that the page
// runs under a Content-Security-Policy without 'unsafe-inline' scripts.
(function () {
  var defaultQuery = [
    '# ttdn: GraphQL API cho công tác thông tin đối ngoại',
    '# Các tỉnh và cơ quan trực thuộc (provinces and their agencies):',
    'query Provinces {',
    '  agencies(filter: { kinds: [PROVINCIAL_COMMITTEE] }) {',
    '    totalCount',
    '    edges {',
    '      node {',
    '        id name adminCode',
    '        children(first: 10) {',
    '          totalCount',
    '          edges { node { name kind adminCode isActive } }',
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  // Subscriptions run over WebSocket (graphql-transport-ws); the headers set in the editor's
  // Headers tab ({"Authorization": "Bearer …"}) go into connection_init.
  var wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws';
  var fetcher = GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl: wsUrl });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
