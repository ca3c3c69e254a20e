// The query page: runs the query with fetch() and shows SPARQL JSON results as a table.
"use strict";
(function () {
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const examples = JSON.parse(document.getElementById("example-queries").textContent);
  const select = document.getElementById("examples");

  select.addEventListener("change", () => { textarea.value = examples[select.value].query; });

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = term.value;
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) {
        const lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
    }
    return td;
  }

  function table(data) {
    const t = document.createElement("table");
    t.id = "result-table";
    const head = t.createTHead().insertRow();
    for (const name of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of data.head.vars) row.appendChild(cell(binding[name]));
    }
    return t;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    results.replaceChildren();
    status.textContent = "Bezig… / Running…";
    const started = performance.now();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const type = response.headers.get("content-type") || "";
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        const problem = type.includes("json") ? await response.json() : { message: await response.text() };
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = problem.message;
        results.appendChild(p);
        status.textContent = "Fout / Error " + response.status;
        return;
      }
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if ("boolean" in data) {
          const p = document.createElement("p");
          p.id = "boolean-result";
          p.textContent = String(data.boolean);
          results.appendChild(p);
          status.textContent = ms + " ms";
        } else {
          results.appendChild(table(data));
          status.textContent = data.results.bindings.length + " rijen / rows · " + ms + " ms";
        }
      } else {
        const pre = document.createElement("pre");
        pre.id = "graph-result";
        pre.textContent = await response.text();
        results.appendChild(pre);
        status.textContent = ms + " ms";
      }
    } catch (error) {
      status.textContent = "Fout / Error: " + error;
    }
  });
})();
