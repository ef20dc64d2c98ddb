/**
 * The GraphiQL page at /graphql: Yoga's self-contained page (no internet needed), behind a small
 * form that asks for the admin key first and says where it goes (the Authorization header, editable
 * later in the Headers tab). GraphiQL then opens with that header, so its first schema fetch succeeds
 * instead of showing a 401. The key stays in this tab's sessionStorage, like the console's.
 *
 * @example
 *   createYoga({ renderGraphiQL: renderGatewayGraphiQL, graphiql: { ... } });
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

type Options = Parameters<typeof renderGraphiQL>[0];

// Runs before Yoga's bundle: when the bundle defines the YogaGraphiQL global, its render function is
// wrapped so that GraphiQL mounts once a key is known.
const GATE = `<script>
(function () {
  var STORE = 'ogw.graphiql.key';
  var real;
  function open(render) {
    var saved = null;
    try { saved = sessionStorage.getItem(STORE); } catch (e) {}
    if (saved) return render(saved);
    var root = document.getElementById('root');
    root.innerHTML =
      '<form id="ogw-key-form" style="font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:12vh auto;padding:1.5rem;border:1px solid #d0d5dd;border-radius:10px">' +
      '<h1 style="font-size:1.3rem;margin:0 0 .5rem">GraphiQL for the Ollama gateway</h1>' +
      '<p style="margin:0 0 1rem">Every request needs an API key in its <code>Authorization</code> header: ' +
      '<code>{"Authorization": "Bearer ogw_…"}</code>. GraphiQL reads the schema by introspection, which needs an <strong>admin</strong> key. ' +
      'Enter it here; it goes in the Headers tab, where you can change it later, and is kept in this tab only.</p>' +
      '<label style="display:block;font-weight:600;margin-bottom:.25rem" for="ogw-key">Admin key</label>' +
      '<input id="ogw-key" type="password" autocomplete="off" required placeholder="ogw_…" style="width:100%;padding:.5rem;font:inherit;box-sizing:border-box">' +
      '<button type="submit" style="margin-top:.75rem;padding:.5rem 1rem;font:inherit">Open GraphiQL</button></form>';
    document.getElementById('ogw-key-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var key = document.getElementById('ogw-key').value.trim().replace(/^Bearer\\s+/i, '');
      if (!key) return;
      try { sessionStorage.setItem(STORE, key); } catch (err) {}
      root.innerHTML = '';
      render(key);
    });
  }
  Object.defineProperty(window, 'YogaGraphiQL', {
    configurable: true,
    get: function () {
      if (!real) return real;
      return Object.assign({}, real, {
        renderYogaGraphiQL: function (el, opts) {
          open(function (key) {
            real.renderYogaGraphiQL(el, Object.assign({}, opts, { headers: JSON.stringify({ Authorization: 'Bearer ' + key }, null, 2) }));
          });
        },
      });
    },
    set: function (v) { real = v; },
  });
})();
</script>`;

export function renderGatewayGraphiQL(opts?: Options): string {
  return renderGraphiQL(opts).replace('<div id="root"></div>', `<div id="root"></div>\n${GATE}`);
}
