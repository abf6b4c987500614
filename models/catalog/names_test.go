package catalog_test

import (
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models/catalog"
)

// TestChineseNames: the sample gives every name in Simplified Chinese
// beside the English (Alibaba Cloud's region names, the carriers' own), so
// nothing is missing; a file without them is still valid, and each entry
// lacking one is listed as a warning naming the key.
func TestChineseNames(t *testing.T) {
	c := sampleCatalog(t)
	if w := catalog.MissingChinese(c); len(w) != 0 {
		t.Fatalf("the sample lacks Chinese names:\n%s", strings.Join(w, "\n"))
	}
	regions := map[string]string{}
	for _, r := range c.Regions {
		regions[r.ID] = r.NameZh
	}
	if regions["cn-shanghai"] != "华东2（上海）" || regions["cn-hangzhou"] != "华东1（杭州）" || regions["cn-beijing"] != "华北2（北京）" {
		t.Errorf("region names in Chinese: %v", regions)
	}
	for _, p := range c.Providers {
		want := map[string]string{"CT": "中国电信", "CU": "中国联通", "CM": "中国移动"}[string(p.Kind)]
		if !strings.HasPrefix(p.NameZh, want) {
			t.Errorf("provider %s: name_zh %q, want it to start with %q", p.ID, p.NameZh, want)
		}
	}
	ap := c.AccessPoints[0]
	if ap.NameZh != "杭州-余杭-B" || ap.LocationZh != "浙江省杭州市余杭区" || ap.IDCNameZh != "余杭数据园区B" || !strings.HasPrefix(ap.IDCAddressZh, "浙江省杭州市余杭区") {
		t.Errorf("access point %s in Chinese: %+v", ap.ID, ap)
	}
	if ap.Name != "Hangzhou-Yuhang-B" || ap.IDCName != "Yuhang Data Park B" {
		t.Errorf("the English names changed: %q %q", ap.Name, ap.IDCName)
	}

	// The same file with some Chinese names left out: valid, with warnings.
	src := string(catalog.Sample())
	for _, cut := range []string{"    name_zh: 华东2（上海）\n", " name_zh: 中国联通浙江分公司,", "    location_zh: 浙江省杭州市余杭区\n", " name_zh: 余杭数据园区B,"} {
		if !strings.Contains(src, cut) {
			t.Fatalf("sample lacks %q", cut)
		}
		src = strings.Replace(src, cut, "", 1)
	}
	c2, err := catalog.Parse([]byte(src), "fewer.yaml")
	if err != nil {
		t.Fatalf("a catalog without Chinese names is refused: %v", err)
	}
	got := catalog.MissingChinese(c2)
	want := []string{
		`region cn-shanghai has no name_zh: zh-CN readers see "China (Shanghai)"`,
		`provider cu-zj has no name_zh: zh-CN readers see "China Unicom Zhejiang"`,
		`access point ap-cn-hangzhou-yh-b has no location_zh, idc.name_zh: zh-CN readers see the English`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A misspelt key is refused, as every unknown key is.
	bad := strings.Replace(string(catalog.Sample()), "    name_zh: 华东2（上海）", "    name_cn: 华东2（上海）", 1)
	if _, err := catalog.Parse([]byte(bad), "bad.yaml"); err == nil || !strings.Contains(err.Error(), `unknown key "name_cn"`) {
		t.Errorf("name_cn: %v", err)
	}
}
