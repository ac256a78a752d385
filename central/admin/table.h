// Plain-text tables for staffgate-admin's human output.
#ifndef STAFFGATE_CENTRAL_ADMIN_TABLE_H_
#define STAFFGATE_CENTRAL_ADMIN_TABLE_H_

#include <string>
#include <vector>

namespace staffgate::central::admin {

// Left-aligned columns separated by two spaces; header row first. Cells
// are escaped for the terminal (common/terminal_text.h).
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_TABLE_H_
