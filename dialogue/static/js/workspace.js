// Workspace enhancements only: every task works without this file.
(function () {
  "use strict";
})();
