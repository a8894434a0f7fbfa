-- One request in three each: an allowed preflight, an allowed actual request, a disallowed actual request.
local n = 0
request = function()
  n = n + 1
  local kind = n % 3
  if kind == 0 then
    return wrk.format("OPTIONS", "/items", {["Origin"] = "https://app.example.com",
      ["Access-Control-Request-Method"] = "PUT", ["Access-Control-Request-Headers"] = "content-type"})
  elseif kind == 1 then
    return wrk.format("GET", "/items?page=" .. n, {["Origin"] = "https://app.example.com"})
  else
    return wrk.format("GET", "/items", {["Origin"] = "https://evil.example"})
  end
end
