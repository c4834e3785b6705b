//! The web interface that `verbatim serve` runs: server-rendered pages with small plain JavaScript, and a JSON API, both over the same library calls as the CLI.
