-- Cycles wrk through nine results pages of the Leads list: tabs, filters, sorts and page depth (make bench).
local paths = {"/leads?tab=marketplace", "/leads?tab=qualified", "/leads?tab=marketplace&country=JP", "/leads?tab=marketplace&country=JP&country=DE&country=US&cta=contact_me",
 "/leads?tab=marketplace&status=received&sort=expiry&dir=asc", "/leads?tab=marketplace&status=archived&outcome=expired&sort=customer", "/leads?tab=marketplace&email_validity=spam&phone_validity=invalid",
 "/leads?tab=marketplace&page=200", "/leads?tab=qualified&sort=value&dir=desc&page=3"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
