/**
 * Validation reasons in the administrators' words. The engines' reasons are English (they name the field,
 * for whoever fixes the data); the summaries a BHXH office reads (the monthly run's, the agency review's)
 * say them in Vietnamese, the field path kept as is. A reason not listed here is shown as it came.
 */
const REASON_PHRASES: [RegExp, string][] = [
  [/must be a date YYYY-MM-DD/g, 'phải là ngày hợp lệ dạng YYYY-MM-DD'],
  [/must be a month YYYY-MM/g, 'phải là tháng dạng YYYY-MM'],
  [/must be a number of VND/g, 'phải là số tiền (đồng)'],
  [/must be whole VND/g, 'phải là số đồng nguyên'],
  [/must not be negative/g, 'không được âm'],
  [/must not be empty/g, 'không được để trống'],
  [/must be positive/g, 'phải lớn hơn 0'],
  [/must not be zero/g, 'không được bằng 0'],
  [/must be a boolean/g, 'phải là đúng/sai'],
  [/must be one of /g, 'phải là một trong: '],
  [/must not exceed ([\d.]+) VND/g, 'không được vượt quá $1 đồng'],
  [/must not be below (-?[\d.]+) VND/g, 'không được nhỏ hơn $1 đồng'],
  [/is not valid JSON/g, 'không đọc được (dữ liệu hỏng)'],
  [/duplicate period /g, 'trùng kỳ '],
  [/from must not be after to/g, 'tháng bắt đầu không được sau tháng kết thúc'],
  [/must be after the previous entry/g, 'phải sau dòng trước'],
  [
    /must not be before (\S+) \(the earliest rates dondoc holds\)/g,
    'không được trước $1 (mức đóng sớm nhất dondoc có)',
  ],
  [/must be letters and digits \(mã đơn vị\)/g, 'chỉ gồm chữ và số (mã đơn vị)'],
  // The agency review's records.
  [/must be a whole number/g, 'phải là số nguyên'],
  [/must be an email address/g, 'phải là địa chỉ email'],
  [/the contract must end after it starts/g, 'hợp đồng phải kết thúc sau ngày bắt đầu'],
  [/national ID \(CCCD\) is required/g, 'thiếu số CCCD'],
  [/national ID \(CCCD\) must be 12 digits/g, 'số CCCD phải gồm 12 chữ số'],
  [/signboard must be true or false/g, 'biển hiệu phải là có/không'],
  [/payment mode is 1, 3, 6 or 12 months/g, 'phương thức đóng là 1, 3, 6 hoặc 12 tháng'],
  [/dated (\S+), after the review date (\S+)/g, 'ghi ngày $1, sau ngày đánh giá $2'],
  [/unknown or rejected collector /g, 'nhân viên thu không có hoặc đã bị loại: '],
  [/unknown or rejected participant /g, 'người tham gia không có hoặc đã bị loại: '],
  [/unknown organisation /g, 'tổ chức không có trong danh sách: '],
  [/unknown commune /g, 'xã không có trong danh sách: '],
  [/Invalid input: expected \w+, received undefined/g, 'thiếu'],
  [/Invalid input: expected (\w+), received (\w+)/g, 'sai kiểu dữ liệu'],
];

export function reasonInVietnamese(reason: string): string {
  return REASON_PHRASES.reduce((said, [pattern, words]) => said.replace(pattern, words), reason);
}
