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
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
